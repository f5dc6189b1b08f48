// Turns one accepted RCPT into its final destinations: the ruleset picks the action, a relay
// action keeps the address, a local action resolves the user (aliases of plain names and
// addresses, sub-address tag split off, the user checked against the userbase). Unknown users
// and unmatched recipients are "550 Invalid recipient"; lookups that cannot answer, "451".
// Behaviour reference: usr.sbin/smtpd/lka_session.c lka_expand(), aliases.c.
using Smtpd.Config;
using Smtpd.Interop;
using Smtpd.Ipc.Messages;
using Smtpd.Rules;
using Smtpd.Tables;

namespace Smtpd.Lka;

internal sealed class LkaExpander
{
    public const string InvalidRecipient = "550 Invalid recipient";
    public const string TemporaryFailure = "451 Temporary failure";
    public const string ExpansionTempFail = "424 4.2.4 Mailing list expansion problem";
    public const string ExpansionPermFail = "524 5.2.4 Mailing list expansion problem";
    private const int MaxDepth = 5;

    private readonly Ruleset _ruleset;
    private readonly Dictionary<string, ActionDef> _actions;
    private readonly TableSet _tables;
    private readonly Func<string, PasswdEntry?> _getpwnam;
    private readonly char _delimiter;

    public LkaExpander(SmtpdConfig config, Ruleset ruleset, TableSet tables, Func<string, PasswdEntry?> getpwnam)
    {
        _ruleset = ruleset;
        _tables = tables;
        _getpwnam = getpwnam;
        _actions = config.Actions.ToDictionary(a => a.Name, StringComparer.Ordinal);
        _delimiter = config.SmtpSubAddrDelim is { Length: > 0 } d ? d[0] : '+';
    }

    /// <summary>Why the last expansion failed, for the log line (trace expand).</summary>
    public string? LastError { get; private set; }

    public (byte Status, string Reply, List<LkaDelivery> Deliveries) Expand(RuleContext ctx)
    {
        LastError = null;
        var deliveries = new List<LkaDelivery>();
        byte status = ExpandAddress(ctx, ctx.Recipient, 0, deliveries, out string reply);
        return (status, reply, status == LkaExpandReply.Accepted ? deliveries.Distinct().ToList() : []);
    }

    private byte ExpandAddress(RuleContext ctx, string address, int depth, List<LkaDelivery> into, out string reply)
    {
        var verdict = _ruleset.Match(ctx with { Recipient = address, Internal = ctx.Internal || depth > 0 });
        if (verdict.TempFail)
        {
            return Fail(LkaExpandReply.TempFail, TemporaryFailure, $"temporary failure in the ruleset for {address}", out reply);
        }

        if (verdict.Rule is null || verdict.Rule.Reject || verdict.Rule.Action is null || !_actions.TryGetValue(verdict.Rule.Action, out var action))
        {
            return Fail(LkaExpandReply.Rejected, InvalidRecipient, $"no rule accepts {address}", out reply);
        }

        if (action.IsRelay)
        {
            into.Add(new LkaDelivery(action.Name, true, string.Empty, address, string.Empty));
            reply = string.Empty;
            return LkaExpandReply.Accepted;
        }

        int at = address.LastIndexOf('@');
        string user = (at < 0 ? address : address[..at]).ToLowerInvariant();
        return ExpandUser(ctx, action, user, address, depth, into, out reply);
    }

    private byte ExpandUser(RuleContext ctx, ActionDef action, string user, string dest, int depth, List<LkaDelivery> into, out string reply)
    {
        if (depth > MaxDepth)
        {
            return Fail(LkaExpandReply.Rejected, ExpansionPermFail, $"expansion of {dest} is too deep (alias loop?)", out reply);
        }

        if (action.Alias is not null)
        {
            var (found, value) = _tables.Resolve(action.Alias).Lookup(TableService.Alias, user);
            if (found == MatchResult.TempFail)
            {
                return Fail(LkaExpandReply.TempFail, ExpansionTempFail, $"alias table cannot answer for {user}", out reply);
            }

            if (found == MatchResult.Match && value is not null)
            {
                return ExpandAliasValue(ctx, action, user, value, depth, into, out reply);
            }
        }

        string subaddress = string.Empty;
        int tag = user.IndexOf(_delimiter, StringComparison.Ordinal);
        if (tag >= 0)
        {
            subaddress = user[(tag + 1)..];
            user = user[..tag];
        }

        if (action.Userbase is not null || action.Virtual is not null)
        {
            // Virtual domains and user tables come with the tables work; until then they defer.
            return Fail(LkaExpandReply.TempFail, ExpansionTempFail, $"userbase/virtual tables are not supported yet ({dest})", out reply);
        }

        PasswdEntry? pw;
        try
        {
            pw = _getpwnam(user);
        }
        catch (PosixException e)
        {
            return Fail(LkaExpandReply.TempFail, TemporaryFailure, $"getpwnam {user}: {e.Message}", out reply);
        }

        if (pw is null)
        {
            return Fail(LkaExpandReply.Rejected, InvalidRecipient, $"user-part does not match system user: {user}", out reply);
        }

        into.Add(new LkaDelivery(action.Name, false, action.User ?? pw.Name, dest, subaddress));
        reply = string.Empty;
        return LkaExpandReply.Accepted;
    }

    /// <summary>An alias value: comma-separated user names and addresses (files, pipes and includes come with the tables work).</summary>
    private byte ExpandAliasValue(RuleContext ctx, ActionDef action, string alias, string value, int depth, List<LkaDelivery> into, out string reply)
    {
        foreach (string raw in value.Split(','))
        {
            string item = raw.Trim();
            if (item.Length == 0)
            {
                continue;
            }

            if (item[0] is '|' or '/' || item.StartsWith(":include:", StringComparison.Ordinal) || item.StartsWith("error:", StringComparison.Ordinal))
            {
                return Fail(LkaExpandReply.TempFail, ExpansionTempFail, $"alias {alias}: \"{item}\" is not supported yet", out reply);
            }

            byte status = item.Contains('@', StringComparison.Ordinal)
                ? ExpandAddress(ctx, item, depth + 1, into, out reply)
                : ExpandUser(ctx, action, item.ToLowerInvariant(), ctx.Recipient, depth + 1, into, out reply);
            if (status != LkaExpandReply.Accepted)
            {
                return status;
            }
        }

        reply = string.Empty;
        return LkaExpandReply.Accepted;
    }

    private byte Fail(byte status, string text, string why, out string reply)
    {
        LastError = why;
        reply = text;
        return status;
    }
}
