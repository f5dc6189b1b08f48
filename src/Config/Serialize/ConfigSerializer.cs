// Explicit binary form of the configuration, sent by the parent to every child process over IPC.
// Hand-written field by field: no reflection, AOT-safe, and any malformed input is a FormatException.
// Behaviour reference: usr.sbin/smtpd/config.c (OpenSMTPD children inherit the parsed config instead).
namespace Smtpd.Config;

internal static partial class ConfigSerializer
{
    // "SMCF" and a format version: bump the version whenever the layout below changes.
    private const int Magic = 0x534D4346;
    private const int Version = 2;

    public static byte[] Serialize(SmtpdConfig c)
    {
        var w = new ConfigBinaryWriter();
        w.WriteInt(Magic);
        w.WriteInt(Version);
        w.WriteList(c.Tables, WriteTable);
        w.WriteList(c.Pkis, static (w, p) =>
        {
            w.WriteString(p.Name);
            w.WriteString(p.Cert);
            w.WriteString(p.Key);
            w.WriteString(p.Dhe);
            w.WriteBool(p.Ocsp);
            WriteWhere(w, p.Where);
        });
        w.WriteList(c.Cas, static (w, ca) =>
        {
            w.WriteString(ca.Name);
            w.WriteString(ca.Cert);
            WriteWhere(w, ca.Where);
        });
        w.WriteList(c.Procs, static (w, p) =>
        {
            w.WriteString(p.Name);
            w.WriteString(p.Command);
            w.WriteString(p.User);
            w.WriteString(p.Group);
            w.WriteString(p.Chroot);
            w.WriteString(p.Protocol);
            w.WriteOptionalInt(p.Timeout);
            WriteWhere(w, p.Where);
        });
        w.WriteList(c.Filters, WriteFilter);
        w.WriteList(c.Listeners, WriteListener);
        w.WriteList(c.Actions, WriteAction);
        w.WriteList(c.Rules, WriteRule);
        w.WriteList(c.MdaWrappers, static (w, m) =>
        {
            w.WriteString(m.Name);
            w.WriteString(m.Command);
            WriteWhere(w, m.Where);
        });
        w.WriteList(c.MdaLimits, WriteLimit);
        w.WriteList(c.MtaLimits, static (w, m) =>
        {
            w.WriteString(m.Domain);
            w.WriteString(m.Family);
            w.WriteList(m.Settings, WriteLimit);
            WriteWhere(w, m.Where);
        });
        w.WriteList(c.SchedulerLimits, WriteLimit);
        w.WriteList(c.SmtpLimits, WriteLimit);
        w.WriteString(c.Admd);
        w.WriteList(c.BounceWarnIntervals, static (w, d) => w.WriteInt(d));
        w.WriteOptionalLong(c.MtaMaxDeferred);
        w.WriteBool(c.QueueCompression);
        w.WriteBool(c.QueueEncryption);
        w.WriteString(c.QueueKey);
        w.WriteOptionalInt(c.QueueTtl);
        w.WriteString(c.SmtpCiphers);
        w.WriteOptionalLong(c.SmtpMaxMessageSize);
        w.WriteString(c.SmtpSubAddrDelim);
        w.WriteString(c.SrsKey);
        w.WriteString(c.SrsKeyBackup);
        w.WriteOptionalInt(c.SrsTtl);
        w.WriteBool(c.MtaDane);
        w.WriteBool(c.MtaSts);
        return w.ToArray();
    }

    private static void WriteWhere(ConfigBinaryWriter w, SourceLocation where)
    {
        w.WriteString(where.File);
        w.WriteInt(where.Line);
    }

    private static void WriteLimit(ConfigBinaryWriter w, LimitSetting s)
    {
        w.WriteString(s.Key);
        w.WriteLong(s.Value);
    }

    private static void WriteEntries(ConfigBinaryWriter w, IReadOnlyList<TableEntry> entries) =>
        w.WriteList(entries, static (w, e) =>
        {
            w.WriteString(e.Key);
            w.WriteString(e.Value);
        });

    private static void WriteTable(ConfigBinaryWriter w, TableDef t)
    {
        w.WriteString(t.Name);
        w.WriteString(t.Backend);
        w.WriteString(t.Config);
        WriteEntries(w, t.Entries);
        WriteWhere(w, t.Where);
    }

    // A table argument: a presence flag, then either a name or inline entries.
    private static void WriteTableRef(ConfigBinaryWriter w, TableRef? t)
    {
        w.WriteBool(t is not null);
        if (t is not null)
        {
            w.WriteString(t.Name);
            WriteEntries(w, t.Inline);
        }
    }

    private static void WriteNames(ConfigBinaryWriter w, IReadOnlyList<string> names) =>
        w.WriteList(names, static (w, n) => w.WriteString(n));

    private static void WriteFilter(ConfigBinaryWriter w, FilterDef f)
    {
        w.WriteString(f.Name);
        w.WriteByte((byte)f.Kind);
        w.WriteString(f.Proc);
        w.WriteString(f.Command);
        w.WriteString(f.User);
        w.WriteString(f.Group);
        w.WriteString(f.Chroot);
        w.WriteString(f.Protocol);
        w.WriteOptionalInt(f.Timeout);
        w.WriteByte((byte)f.Phase);
        w.WriteBool(f.Check is not null);
        if (f.Check is not null)
        {
            w.WriteByte((byte)f.Check.Kind);
            w.WriteBool(f.Check.Negated);
            w.WriteBool(f.Check.Regex);
            WriteTableRef(w, f.Check.Table);
        }
        w.WriteByte((byte)f.Decision);
        w.WriteString(f.DecisionArgument);
        WriteNames(w, f.Chain);
        w.WriteBool(f.Dkim is not null);
        if (f.Dkim is not null)
        {
            w.WriteString(f.Dkim.Domain);
            w.WriteString(f.Dkim.Selector);
            w.WriteString(f.Dkim.KeyFile);
            w.WriteString(f.Dkim.Algorithm);
            WriteNames(w, f.Dkim.Headers);
        }

        WriteWhere(w, f.Where);
    }

    private static void WriteListener(ConfigBinaryWriter w, ListenerDef l)
    {
        w.WriteBool(l.IsSocket);
        w.WriteString(l.Interface);
        w.WriteString(l.Family);
        w.WriteOptionalInt(l.Port);
        w.WriteByte((byte)l.Tls);
        w.WriteBool(l.TlsVerify);
        WriteNames(w, l.Pkis);
        w.WriteString(l.Ca);
        w.WriteString(l.Ciphers);
        w.WriteString(l.Protocols);
        w.WriteString(l.Curves);
        w.WriteByte((byte)l.Auth);
        WriteTableRef(w, l.AuthTable);
        w.WriteString(l.Tag);
        w.WriteString(l.Hostname);
        WriteTableRef(w, l.Hostnames);
        w.WriteBool(l.MaskSrc);
        w.WriteBool(l.NoDsn);
        w.WriteBool(l.ProxyV2);
        w.WriteBool(l.ReceivedAuth);
        WriteTableRef(w, l.Senders);
        w.WriteBool(l.Masquerade);
        WriteTableRef(w, l.ClientFingerprints);
        WriteTableRef(w, l.PkiTable);
        w.WriteString(l.Filter);
        WriteNames(w, l.FilterChain);
        WriteWhere(w, l.Where);
    }

    private static void WriteAction(ConfigBinaryWriter w, ActionDef a)
    {
        w.WriteString(a.Name);
        w.WriteByte((byte)a.Method);
        w.WriteString(a.MaildirPath);
        w.WriteBool(a.Junk);
        w.WriteString(a.LmtpDestination);
        w.WriteBool(a.LmtpRcptTo);
        w.WriteString(a.MdaCommand);
        WriteTableRef(w, a.Alias);
        WriteTableRef(w, a.Virtual);
        WriteTableRef(w, a.Userbase);
        w.WriteString(a.User);
        w.WriteString(a.Wrapper);
        WriteTableRef(w, a.Host);
        WriteTableRef(w, a.Domain);
        w.WriteBool(a.Backup);
        w.WriteString(a.BackupMx);
        w.WriteString(a.Helo);
        WriteTableRef(w, a.HeloSrc);
        w.WriteString(a.Pki);
        w.WriteString(a.Ca);
        w.WriteString(a.Ciphers);
        w.WriteString(a.Protocols);
        WriteTableRef(w, a.Src);
        w.WriteString(a.MailFrom);
        w.WriteByte((byte)a.Tls);
        WriteTableRef(w, a.Auth);
        w.WriteString(a.Filter);
        WriteNames(w, a.FilterChain);
        w.WriteBool(a.Srs);
        w.WriteOptionalInt(a.Ttl);
        WriteWhere(w, a.Where);
        WriteTableRef(w, a.Fingerprints);
        w.WriteBool(a.MtaSts);
    }

    private static void WriteRule(ConfigBinaryWriter w, MatchRule r)
    {
        w.WriteList(r.Criteria, static (w, c) =>
        {
            w.WriteByte((byte)c.Kind);
            w.WriteBool(c.Negated);
            w.WriteBool(c.Regex);
            WriteTableRef(w, c.Table);
        });
        w.WriteBool(r.Reject);
        w.WriteString(r.Action);
        WriteWhere(w, r.Where);
    }
}
