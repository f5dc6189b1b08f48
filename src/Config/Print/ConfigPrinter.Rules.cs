// Canonical printing of listeners, actions and match rules (also used in legacy-rule notices).
// Behaviour reference: usr.sbin/smtpd/parse.y (listen, dispatcher, match), smtpd.conf.5.
using System.Globalization;
using System.Text;

namespace Smtpd.Config;

internal static partial class ConfigPrinter
{
    public static string FormatListener(ListenerDef l)
    {
        var sb = new StringBuilder("listen on ");
        sb.Append(l.IsSocket ? "socket" : Word(l.Interface ?? string.Empty));
        if (l.Family is not null)
        {
            sb.Append(' ').Append(l.Family);
        }
        if (l.Port is int port)
        {
            sb.Append(" port ").Append(port.ToString(CultureInfo.InvariantCulture));
        }
        sb.Append(l.Tls switch
        {
            ListenerTls.Smtps => l.TlsVerify ? " smtps verify" : " smtps",
            ListenerTls.StartTls => " tls",
            ListenerTls.StartTlsRequire => l.TlsVerify ? " tls-require verify" : " tls-require",
            _ => string.Empty,
        });
        foreach (var pki in l.Pkis)
        {
            sb.Append(" pki ").Append(Word(pki));
        }
        Option(sb, "ca", l.Ca, Word);
        Option(sb, "ciphers", l.Ciphers, Quote);
        Option(sb, "protocols", l.Protocols, Quote);
        Option(sb, "curves", l.Curves, Quote);
        if (l.Auth != ListenerAuth.None)
        {
            sb.Append(l.Auth == ListenerAuth.Required ? " auth" : " auth-optional");
            if (l.AuthTable is not null)
            {
                sb.Append(' ').Append(FormatTable(l.AuthTable));
            }
        }
        Option(sb, "hostname", l.Hostname, Word);
        Table(sb, "hostnames", l.Hostnames);
        Table(sb, "senders", l.Senders);
        Flag(sb, "masquerade", l.Masquerade);
        Table(sb, "fingerprints", l.ClientFingerprints);
        Table(sb, "pki", l.PkiTable);
        Flag(sb, "mask-src", l.MaskSrc);
        Flag(sb, "no-dsn", l.NoDsn);
        Flag(sb, "proxy-v2", l.ProxyV2);
        Flag(sb, "received-auth", l.ReceivedAuth);
        Option(sb, "tag", l.Tag, Quote);
        Option(sb, "filter", l.Filter, Quote);
        if (l.FilterChain.Count > 0)
        {
            sb.Append(" filter ").Append(FilterNames(l.FilterChain));
        }
        return sb.ToString();
    }

    public static string FormatAction(ActionDef a)
    {
        var sb = new StringBuilder("action ").Append(Quote(a.Name)).Append(' ').Append(Grammar.MethodName(a.Method));
        switch (a.Method)
        {
            case ActionMethod.Maildir:
                if (a.MaildirPath is not null)
                {
                    sb.Append(' ').Append(Quote(a.MaildirPath));
                }
                Flag(sb, "junk", a.Junk);
                break;
            case ActionMethod.Lmtp:
                sb.Append(' ').Append(Quote(a.LmtpDestination ?? string.Empty));
                Flag(sb, "rcpt-to", a.LmtpRcptTo);
                break;
            case ActionMethod.Mda:
                sb.Append(' ').Append(Quote(a.MdaCommand ?? string.Empty));
                break;
            default:
                break;
        }
        Table(sb, "alias", a.Alias);
        Table(sb, "virtual", a.Virtual);
        Table(sb, "userbase", a.Userbase);
        Option(sb, "user", a.User, Quote);
        Option(sb, "wrapper", a.Wrapper, Quote);
        Table(sb, "host", a.Host);
        Table(sb, "domain", a.Domain);
        if (a.Backup)
        {
            sb.Append(" backup");
            Option(sb, "mx", a.BackupMx, Quote);
        }
        sb.Append(a.Tls switch
        {
            RelayTls.Required => " tls",
            RelayTls.RequiredNoVerify => " tls no-verify",
            RelayTls.Dane => " tls dane",
            _ => string.Empty,
        });
        Table(sb, "tls fingerprint", a.Fingerprints);
        Flag(sb, "mta-sts", a.MtaSts);
        Table(sb, "auth", a.Auth);
        Option(sb, "helo", a.Helo, Quote);
        Table(sb, "helo-src", a.HeloSrc);
        Table(sb, "src", a.Src);
        Option(sb, "mail-from", a.MailFrom, Quote);
        Option(sb, "pki", a.Pki, Word);
        Option(sb, "ca", a.Ca, Word);
        Option(sb, "ciphers", a.Ciphers, Quote);
        Option(sb, "protocols", a.Protocols, Quote);
        Flag(sb, "srs", a.Srs);
        Option(sb, "filter", a.Filter, Quote);
        if (a.FilterChain.Count > 0)
        {
            sb.Append(" filter ").Append(FilterNames(a.FilterChain));
        }
        if (a.Ttl is int ttl)
        {
            sb.Append(" ttl ").Append(Durations.Format(ttl));
        }
        return sb.ToString();
    }

    public static string FormatRule(MatchRule r)
    {
        var sb = new StringBuilder("match");
        foreach (var c in r.Criteria)
        {
            sb.Append(' ');
            if (c.Negated)
            {
                sb.Append('!');
            }
            sb.Append(CriterionName(c.Kind));
            if (c.Regex)
            {
                sb.Append(" regex");
            }
            if (c.Table is not null)
            {
                sb.Append(' ').Append(FormatTable(c.Table));
            }
        }
        return r.Reject ? sb.Append(" reject").ToString() : sb.Append(" action ").Append(Quote(r.Action ?? string.Empty)).ToString();
    }

    internal static string CriterionName(MatchKind kind) => kind switch
    {
        MatchKind.FromAny => "from any",
        MatchKind.FromLocal => "from local",
        MatchKind.FromSocket => "from socket",
        MatchKind.FromSrc => "from src",
        MatchKind.FromRdns => "from rdns",
        MatchKind.FromAuth => "from auth",
        MatchKind.FromMailFrom => "from mail-from",
        MatchKind.ForAny => "for any",
        MatchKind.ForLocal => "for local",
        MatchKind.ForDomain => "for domain",
        MatchKind.ForRcptTo => "for rcpt-to",
        MatchKind.Tag => "tag",
        MatchKind.Helo => "helo",
        MatchKind.Tls => "tls",
        MatchKind.Auth => "auth",
        MatchKind.MailFrom => "mail-from",
        _ => "rcpt-to",
    };

    private static void Option(StringBuilder sb, string keyword, string? value, Func<string, string> format)
    {
        if (value is not null)
        {
            sb.Append(' ').Append(keyword).Append(' ').Append(format(value));
        }
    }

    private static void Table(StringBuilder sb, string keyword, TableRef? table)
    {
        if (table is not null)
        {
            sb.Append(' ').Append(keyword).Append(' ').Append(FormatTable(table));
        }
    }

    private static void Flag(StringBuilder sb, string keyword, bool on)
    {
        if (on)
        {
            sb.Append(' ').Append(keyword);
        }
    }
}
