// Turns one accepted RCPT into its final destinations by growing an expansion tree: the ruleset
// picks each address's action; relay actions keep the address; local ones go through aliases or
// virtual tables, the userbase and the user's ~/.forward, down to users, files and commands.
// Unknown users are "550 Invalid recipient"; lookups that cannot answer, "451"/"424"; loops,
// too-deep trees and empty results, "524 5.2.4 Mailing list expansion problem".
// Behaviour reference: usr.sbin/smtpd/lka_session.c lka_expand(), lka_resume(), lka_submit().
using Smtpd.Config;
using Smtpd.Interop;
using Smtpd.Ipc.Messages;
using Smtpd.Rules;
using Smtpd.Runtime;
using Smtpd.Tables;

namespace Smtpd.Lka;

internal sealed partial class LkaExpander
{
    public const string InvalidRecipient = "550 Invalid recipient";
    public const string TemporaryFailure = "451 Temporary failure";
    public const string ExpansionTempFail = "424 4.2.4 Mailing list expansion problem";
    public const string ExpansionPermFail = "524 5.2.4 Mailing list expansion problem";

    /// <summary>How far a node may be from the recipient (EXPAND_DEPTH).</summary>
    public const int MaxDepth = 10;

    /// <summary>Nodes one ~/.forward may add (MAX_EXPAND_NODES).</summary>
    public const int MaxForwardNodes = 100;

    /// <summary>Nodes one recipient may grow to in all; OpenSMTPD has no such cap, it keeps a fan-out bomb bounded.</summary>
    public const int MaxNodes = 10_000;

    private readonly Ruleset _ruleset;
    private readonly Dictionary<string, ActionDef> _actions;
    private readonly TableSet _tables;
    private readonly LkaUserbase _userbase;
    private readonly Func<UserInfo, ValueTask<ForwardOpen>>? _openForward;
    private readonly char _delimiter;
    private readonly Mime.Srs? _srs;

    // openForward asks the parent for a user's ~/.forward; null reads none (every user delivers as is).
    public LkaExpander(SmtpdConfig config, Ruleset ruleset, TableSet tables, Func<string, PasswdEntry?> getpwnam, Func<UserInfo, ValueTask<ForwardOpen>>? openForward = null)
    {
        _ruleset = ruleset;
        _tables = tables;
        _userbase = new LkaUserbase(tables, getpwnam);
        _openForward = openForward;
        _actions = config.Actions.ToDictionary(a => a.Name, StringComparer.Ordinal);
        _delimiter = config.SmtpSubAddrDelim is { Length: > 0 } d ? d[0] : '+';
        _srs = config.SrsKey is { } key ? new Mime.Srs(key, config.SrsKeyBackup, (config.SrsTtl ?? (4 * 86400)) / 86400) : null;
    }

    public async ValueTask<LkaExpansion> ExpandAsync(RuleContext ctx)
    {
        var lks = new LkaSession(ctx);
        lks.Tree.Insert(new ExpandNode(ExpandNodeKind.Address, ctx.Recipient), null);
        while (lks.Error == 0 && lks.Tree.TryNext(out var node))
        {
            if (lks.Tree.Count > MaxNodes)
            {
                lks.Fail(ExpandStatus.Rejected, ExpansionPermFail, $"more than {MaxNodes} nodes");
                break;
            }

            await ExpandNodeAsync(lks, node);
        }

        if (lks.Error == 0 && lks.Deliveries.Count == 0)
        {
            lks.Fail(ExpandStatus.Rejected, ExpansionPermFail, "expanded to an empty delivery list");
        }

        if (lks.Error != 0)
        {
            string reply = lks.ErrorReply ?? (lks.Error == ExpandStatus.Rejected ? InvalidRecipient : TemporaryFailure);
            if (reply == ExpansionPermFail)
            {
                // The one expansion failure an administrator must fix (a loop, a runaway list): always logged.
                Log.Warn($"warn: lka: expansion of {ctx.Recipient} failed: {lks.Why}");
            }

            return new LkaExpansion(lks.Error, reply, [], lks.Why);
        }

        return new LkaExpansion(ExpandStatus.Accepted, string.Empty, lks.Deliveries.Distinct().ToList(), null);
    }

    private ValueTask ExpandNodeAsync(LkaSession lks, ExpandNode xn)
    {
        if (xn.Depth >= MaxDepth)
        {
            lks.Fail(ExpandStatus.Rejected, ExpansionPermFail, $"{xn} is {xn.Depth} levels deep");
            return ValueTask.CompletedTask;
        }

        switch (xn.Kind)
        {
            case ExpandNodeKind.Address:
                ExpandAddress(lks, xn);
                break;
            case ExpandNodeKind.Username:
                return ExpandUsernameAsync(lks, xn);
            case ExpandNodeKind.Filename:
            case ExpandNodeKind.Filter:
                ExpandExternal(lks, xn);
                break;
            case ExpandNodeKind.Error:
                if (xn.Action?.Method == ActionMethod.ForwardOnly)
                {
                    lks.Fail(ExpandStatus.TempFail, null, "error: entry on a forward-only action");
                }
                else
                {
                    lks.Fail(xn.Text[0] == '4' ? ExpandStatus.TempFail : ExpandStatus.Rejected, xn.Text, $"error: entry \"{xn.Text}\"");
                }

                break;
            default:
                // Includes are read when their alias is, never queued.
                throw new InvalidOperationException($"unexpected node {xn}");
        }

        return ValueTask.CompletedTask;
    }

    private void ExpandAddress(LkaSession lks, ExpandNode xn)
    {
        // A bounce (null sender) to an SRS address of ours goes back to the address it stands
        // for, as mail the server generates (lka_expand: EF_INTERNAL).
        string address = xn.Text;
        bool srs = false;
        if (_srs is not null && lks.Context.Sender.Length == 0 && (address.StartsWith("SRS0=", StringComparison.OrdinalIgnoreCase) || address.StartsWith("SRS1=", StringComparison.OrdinalIgnoreCase)))
        {
            if (_srs.Decode(address, DateTimeOffset.UtcNow) is { } original)
            {
                address = original;
                srs = true;
            }
            else
            {
                Log.Warn($"warn: SRS failed to decode: {address}");
            }
        }

        // Addresses found inside an expansion (aliases, .forward) are mail the server generates.
        var verdict = _ruleset.Match(lks.Context with { Recipient = address, Internal = lks.Context.Internal || xn.Parent is not null || srs });
        if (verdict.TempFail)
        {
            lks.Fail(ExpandStatus.TempFail, null, $"temporary failure in the ruleset for {address}");
            return;
        }

        if (verdict.Rule is null || verdict.Rule.Reject || verdict.Rule.Action is null || !_actions.TryGetValue(verdict.Rule.Action, out var action))
        {
            lks.Fail(ExpandStatus.Rejected, null, $"no rule accepts {address}");
            return;
        }

        xn.Action = action;
        if (action.IsRelay)
        {
            lks.Deliveries.Add(new LkaDelivery(action.Name, true, string.Empty, address, string.Empty));
            return;
        }

        int at = address.LastIndexOf('@');
        string user = (at < 0 ? address : address[..at]).ToLowerInvariant();
        string domain = at < 0 ? string.Empty : address[(at + 1)..].ToLowerInvariant();
        if (action.Virtual is not null)
        {
            int r = VirtualGet(lks, xn, action.Virtual, user, domain);
            if (r < 0)
            {
                lks.Fail(ExpandStatus.TempFail, ExpansionTempFail, $"virtual table cannot answer for {address}");
            }
            else if (r == 0)
            {
                lks.Fail(ExpandStatus.Rejected, ExpansionPermFail, $"no virtual entry for {address}");
            }

            return;
        }

        lks.Tree.Insert(new ExpandNode(ExpandNodeKind.Username, user) { Action = action }, xn);
    }

    private static void ExpandExternal(LkaSession lks, ExpandNode xn)
    {
        string what = xn.Kind == ExpandNodeKind.Filter ? "command" : "file";
        if (xn.Parent is { RealUser: true, RealUid: 0 })
        {
            lks.Fail(ExpandStatus.TempFail, null, $"{what} not allowed in root's .forward: {xn.Text}");
            return;
        }

        if (xn.Action?.Method == ActionMethod.ForwardOnly)
        {
            lks.Fail(ExpandStatus.TempFail, null, $"{what} on a forward-only action: {xn.Text}");
            return;
        }

        Submit(lks, xn);
    }

    /// <summary>A final node becomes a delivery: the destination is the address it came from.</summary>
    private static void Submit(LkaSession lks, ExpandNode xn)
    {
        var action = xn.Action!;
        string dest = xn.AddressAncestor()?.Text ?? lks.Context.Recipient;
        if (xn.Kind == ExpandNodeKind.Username)
        {
            // The envelope names the recipient user even when the action delivers as another
            // (`user NAME`): the dispatcher looks the recipient up in the userbase, the parent
            // swaps in the delivery user, as OpenSMTPD's mda_user and forkmda() do.
            lks.Deliveries.Add(new LkaDelivery(action.Name, false, xn.Text, dest, xn.Subaddress));
            return;
        }

        // A command or file runs as the user whose .forward named it; from an alias, as the
        // unprivileged daemon user, as OpenSMTPD does.
        string user = xn.Parent is { RealUser: true } p ? p.Text : SmtpdUsers.Smtpd;
        if (xn.Kind == ExpandNodeKind.Filter && user == SmtpdUsers.Smtpd)
        {
            Log.Warn($"warn: lka: commands executed from aliases run with {SmtpdUsers.Smtpd} privileges");
        }

        string exec = xn.Kind == ExpandNodeKind.Filename ? MdaExecText.ForFile(xn.Text) : xn.Text;
        lks.Deliveries.Add(new LkaDelivery(action.Name, false, user, dest, string.Empty, exec));
    }
}
