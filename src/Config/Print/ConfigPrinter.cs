// Prints a configuration back in canonical modern smtpd.conf syntax: fixed section order, one
// statement per line, strings quoted unless they are plain words. Parsing the output gives an equal model.
// Behaviour reference: usr.sbin/smtpd/parse.y (the grammar the output must satisfy), smtpd.conf.5.
using System.Globalization;
using System.Text;

namespace Smtpd.Config;

internal static partial class ConfigPrinter
{
    /// <summary>Sections come in an order OpenSMTPD could also read: what is referred to comes first.</summary>
    public static string Print(SmtpdConfig config)
    {
        List<List<string>> sections =
        [
            Globals(config),
            [.. config.Tables.Select(FormatTableDef)],
            [.. config.Pkis.Where(p => !PkiTables.FromTable(p.Name)).SelectMany(FormatPki), .. config.Cas.Select(c => $"ca {Word(c.Name)} cert {Quote(c.Cert ?? string.Empty)}")],
            [.. config.Procs.Select(FormatProc), .. config.Filters.Select(FormatFilter)],
            [.. config.Listeners.Select(FormatListener)],
            [.. config.Actions.Select(FormatAction)],
            [.. config.Rules.Select(FormatRule)],
        ];
        var sb = new StringBuilder();
        foreach (var section in sections.Where(s => s.Count > 0))
        {
            if (sb.Length > 0)
            {
                sb.Append('\n');
            }
            foreach (var line in section)
            {
                sb.Append(line).Append('\n');
            }
        }
        return sb.ToString();
    }

    private static List<string> Globals(SmtpdConfig c)
    {
        var lines = new List<string>();
        if (c.Admd is not null)
        {
            lines.Add($"admd {Quote(c.Admd)}");
        }
        if (c.BounceWarnIntervals.Count > 0)
        {
            lines.Add("bounce warn-interval " + string.Join(", ", c.BounceWarnIntervals.Select(Durations.Format)));
        }
        if (c.QueueCompression)
        {
            lines.Add("queue compression");
        }
        if (c.QueueEncryption)
        {
            lines.Add(c.QueueKey is null ? "queue encryption" : $"queue encryption {Quote(c.QueueKey)}");
        }
        if (c.QueueTtl is int ttl)
        {
            lines.Add($"queue ttl {Durations.Format(ttl)}");
        }
        if (c.SmtpCiphers is not null)
        {
            lines.Add($"smtp ciphers {Quote(c.SmtpCiphers)}");
        }
        if (c.SmtpMaxMessageSize is long size)
        {
            lines.Add($"smtp max-message-size {Durations.FormatSize(size)}");
        }
        if (c.SmtpSubAddrDelim is not null)
        {
            lines.Add($"smtp sub-addr-delim {Quote(c.SmtpSubAddrDelim)}");
        }
        if (c.SmtpLimits.Count > 0)
        {
            lines.Add("smtp limit " + Limits(c.SmtpLimits));
        }
        if (c.SrsKey is not null)
        {
            lines.Add($"srs key {Quote(c.SrsKey)}");
        }
        if (c.SrsKeyBackup is not null)
        {
            lines.Add($"srs key backup {Quote(c.SrsKeyBackup)}");
        }
        if (c.SrsTtl is int srsTtl)
        {
            lines.Add($"srs ttl {Durations.Format(srsTtl)}");
        }
        if (c.MtaMaxDeferred is long deferred)
        {
            lines.Add("mta max-deferred " + deferred.ToString(CultureInfo.InvariantCulture));
        }
        if (c.MtaDane)
        {
            lines.Add("mta tls dane");
        }
        if (c.MtaSts)
        {
            lines.Add("mta mta-sts");
        }
        foreach (var limit in c.MtaLimits)
        {
            var sb = new StringBuilder("mta limit");
            if (limit.Domain is not null)
            {
                sb.Append(" for domain ").Append(Quote(limit.Domain));
            }
            if (limit.Family is not null)
            {
                sb.Append(' ').Append(limit.Family);
            }
            if (limit.Settings.Count > 0)
            {
                sb.Append(' ').Append(Limits(limit.Settings));
            }
            lines.Add(sb.ToString());
        }
        lines.AddRange(c.MdaWrappers.Select(w => $"mda wrapper {Quote(w.Name)} {Quote(w.Command)}"));
        if (c.MdaLimits.Count > 0)
        {
            lines.Add("mda limit " + Limits(c.MdaLimits));
        }
        if (c.SchedulerLimits.Count > 0)
        {
            lines.Add("scheduler limit " + Limits(c.SchedulerLimits));
        }
        return lines;
    }

    private static string Limits(IEnumerable<LimitSetting> settings) =>
        string.Join(' ', settings.Select(s => s.Key + " " + s.Value.ToString(CultureInfo.InvariantCulture)));

    private static string FormatTableDef(TableDef t)
    {
        var head = $"table {Word(t.Name)} ";
        if (t.IsInline && t.Entries.Count > 0)
        {
            return head + FormatEntries(t.Entries);
        }
        if (t.Backend == "static" && t.Config is not null)
        {
            return head + Quote(t.Config);
        }
        return head + Word(t.Config is null ? t.Backend : t.Backend + ":" + t.Config);
    }

    private static IEnumerable<string> FormatPki(PkiDef p)
    {
        if (p.Cert is not null)
        {
            yield return $"pki {Word(p.Name)} cert {Quote(p.Cert)}";
        }
        if (p.Key is not null)
        {
            yield return $"pki {Word(p.Name)} key {Quote(p.Key)}";
        }
        if (p.Dhe is not null)
        {
            yield return $"pki {Word(p.Name)} dhe {p.Dhe}";
        }
        if (p.Ocsp)
        {
            yield return $"pki {Word(p.Name)} ocsp";
        }
    }

    private static string FormatProc(ProcDef p) =>
        $"proc {Quote(p.Name)} {Quote(p.Command)}{ProcParams(p.User, p.Group, p.Chroot, p.Protocol, p.Timeout)}";

    private static string ProcParams(string? user, string? group, string? chroot, string? protocol, int? timeout) =>
        (user is null ? string.Empty : " user " + Quote(user))
        + (group is null ? string.Empty : " group " + Quote(group))
        + (chroot is null ? string.Empty : " chroot " + Quote(chroot))
        + (protocol is null ? string.Empty : " protocol " + Quote(protocol))
        + (timeout is null ? string.Empty : " timeout " + Durations.Format(timeout.Value));

    private static string FormatFilter(FilterDef f)
    {
        var head = $"filter {Quote(f.Name)} ";
        switch (f.Kind)
        {
            case FilterKind.Proc:
                return head + "proc " + Quote(f.Proc ?? string.Empty);
            case FilterKind.ProcExec:
                return head + "proc-exec " + Quote(f.Command ?? string.Empty) + ProcParams(f.User, f.Group, f.Chroot, f.Protocol, f.Timeout);
            case FilterKind.Chain:
                return head + "chain " + FilterNames(f.Chain);
            case FilterKind.DkimSign:
                var d = f.Dkim!;
                return head + $"dkim-sign domain {Quote(d.Domain)} selector {Quote(d.Selector)} key {Quote(d.KeyFile)} algorithm {Quote(d.Algorithm)}"
                    + (d.Headers.Count > 0 ? " headers { " + string.Join(", ", d.Headers.Select(Quote)) + " }" : string.Empty);
            default:
                var check = f.Check!;
                var sb = new StringBuilder(head).Append("phase ").Append(Parser.PhaseName(f.Phase)).Append(" match ");
                sb.Append(check.Negated ? "!" : string.Empty).Append(CheckName(check.Kind));
                if (check.Regex)
                {
                    sb.Append(" regex");
                }
                if (check.Table is not null)
                {
                    sb.Append(' ').Append(FormatTable(check.Table));
                }
                sb.Append(' ').Append(DecisionName(f.Decision));
                if (f.DecisionArgument is not null)
                {
                    sb.Append(' ').Append(Quote(f.DecisionArgument));
                }
                return sb.ToString();
        }
    }

    private static string CheckName(FilterCheckKind kind) => kind switch
    {
        FilterCheckKind.Fcrdns => "fcrdns",
        FilterCheckKind.Rdns => "rdns",
        FilterCheckKind.Src => "src",
        FilterCheckKind.Helo => "helo",
        FilterCheckKind.Auth => "auth",
        FilterCheckKind.MailFrom => "mail-from",
        _ => "rcpt-to",
    };

    private static string DecisionName(FilterDecision decision) => decision switch
    {
        FilterDecision.Junk => "junk",
        FilterDecision.Bypass => "bypass",
        FilterDecision.Reject => "reject",
        FilterDecision.Disconnect => "disconnect",
        FilterDecision.Rewrite => "rewrite",
        _ => "report",
    };

    private static string FilterNames(IEnumerable<string> names) => "{ " + string.Join(", ", names.Select(Quote)) + " }";

    /// <summary>A table argument: "&lt;name&gt;", a single quoted value, or an inline list or map.</summary>
    public static string FormatTable(TableRef table)
    {
        if (table.Name is not null)
        {
            return "<" + Word(table.Name) + ">";
        }
        if (table.Inline.Count == 1 && table.Inline[0].Value is null)
        {
            return Quote(table.Inline[0].Key);
        }
        return FormatEntries(table.Inline);
    }

    private static string FormatEntries(IEnumerable<TableEntry> entries) =>
        "{ " + string.Join(", ", entries.Select(e => e.Value is null ? Quote(e.Key) : Quote(e.Key) + " = " + Quote(e.Value))) + " }";

    /// <summary>A double-quoted string the lexer reads back to the same text.</summary>
    public static string Quote(string s) => "\"" + s.Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>A bare word when the lexer would read it back as the same non-keyword word, else quoted.</summary>
    public static string Word(string s)
    {
        if (s.Length == 0 || Keywords.IsKeyword(s) || !(char.IsAsciiLetterOrDigit(s[0]) || s[0] is ':' or '_'))
        {
            return Quote(s);
        }
        foreach (var c in s)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || (c is > ' ' and < (char)127 && c is not ('(' or ')' or '{' or '}' or '<' or '>' or '!' or '=' or '#' or ',' or '\\' or '"' or '\'' or '$'))))
            {
                return Quote(s);
            }
        }
        // All digits would come back as a number.
        return s.All(char.IsAsciiDigit) ? Quote(s) : s;
    }
}
