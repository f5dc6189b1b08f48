// `listen on ... senders <table>`: the MAIL FROM addresses an authenticated user may use. The
// table maps the user name to a list of addresses ("alice@example.org, @example.net, bob"); the
// sender must match one of them as mailaddr_match() compares (an "@domain" entry covers the
// domain, a bare "user" entry any domain, an empty entry everything; a +tag in the sender is
// ignored unless the entry has one). A user the table does not know may send as nobody.
// Behaviour reference: usr.sbin/smtpd/lka.c lka_mailaddrmap(), mailaddr.c mailaddr_line(),
// util.c mailaddr_match().
using Smtpd.Config;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;
using Smtpd.Tables;

namespace Smtpd.Lka;

internal sealed class LkaSenderCheck
{
    private readonly ValueList<ListenerDef> _listeners;
    private readonly TableSet _tables;
    private readonly char _delimiter;

    public LkaSenderCheck(SmtpdConfig config, TableSet tables)
    {
        _listeners = config.Listeners;
        _tables = tables;
        _delimiter = config.SmtpSubAddrDelim is { Length: > 0 } d ? d[0] : '+';
    }

    public LkaCheckSenderReply Check(LkaCheckSender req)
    {
        if (req.ListenerIndex < 0 || req.ListenerIndex >= _listeners.Count || _listeners[req.ListenerIndex].Senders is not { } senders)
        {
            // The dispatcher asks only for listeners with a senders table.
            Log.Warn($"warn: lka: sender check for listener {req.ListenerIndex}, which has no senders table");
            return new LkaCheckSenderReply(req.ReqId, AuthStatus.TempFail);
        }

        return new LkaCheckSenderReply(req.ReqId, Check(_tables.Resolve(senders), req.User, req.Sender, _delimiter));
    }

    /// <summary>Ok when <paramref name="sender"/> is among <paramref name="user"/>'s addresses in <paramref name="table"/>.</summary>
    public static AuthStatus Check(ITable table, string user, string sender, char delimiter = '+')
    {
        Log.Debug($"debug: lka: mailaddrmap {table.Name}:{user}");
        var (r, value) = table.Lookup(TableService.Mailaddrmap, user);
        if (r == MatchResult.NoMatch)
        {
            return AuthStatus.Fail;
        }

        var entries = r == MatchResult.Match && value is not null ? ParseList(value) : null;
        if (entries is null)
        {
            Log.Warn($"warn: failure during mailaddrmap lookup {table.Name}:{user}");
            return AuthStatus.TempFail;
        }

        return entries.Any(e => KeyMatch.Mailaddr(sender, e, delimiter)) ? AuthStatus.Ok : AuthStatus.Fail;
    }

    /// <summary>
    /// mailaddr_line: addresses separated by commas outside quotes, a backslash escaping the next
    /// character, each entry trimmed, empty ones skipped; null when the list is malformed (an
    /// open quote or a trailing backslash), which is a table that cannot answer.
    /// </summary>
    public static List<string>? ParseList(string value) =>
        AliasLine.SplitList(value)?.Select(e => e.Trim()).Where(e => e.Length > 0).ToList();
}
