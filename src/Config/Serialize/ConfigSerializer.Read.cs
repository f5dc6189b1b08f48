// Decoding of the binary configuration form; mirrors ConfigSerializer.Serialize field by field.
// Behaviour reference: usr.sbin/smtpd/mproc.c (m_end: a message with bytes left over is an error).
namespace Smtpd.Config;

internal static partial class ConfigSerializer
{
    /// <summary>Decodes a configuration; throws <see cref="FormatException"/> on a wrong header,
    /// truncation, impossible values or trailing bytes.</summary>
    public static SmtpdConfig Deserialize(ReadOnlySpan<byte> data)
    {
        var r = new ConfigBinaryReader(data);
        if (r.ReadInt() != Magic)
        {
            throw new FormatException("not a serialized configuration (bad magic)");
        }
        var version = r.ReadInt();
        if (version != Version)
        {
            throw new FormatException($"unsupported serialized configuration version {version}");
        }
        var tables = new List<TableDef>();
        for (var n = r.ReadCount(); n > 0; n--)
        {
            tables.Add(new TableDef { Name = r.ReadRequiredString(), Backend = r.ReadRequiredString(), Config = r.ReadString(), Entries = ReadEntries(ref r), Where = ReadWhere(ref r) });
        }
        var pkis = new List<PkiDef>();
        for (var n = r.ReadCount(); n > 0; n--)
        {
            pkis.Add(new PkiDef { Name = r.ReadRequiredString(), Cert = r.ReadString(), Key = r.ReadString(), Dhe = r.ReadString(), Ocsp = r.ReadBool(), Where = ReadWhere(ref r) });
        }
        var cas = new List<CaDef>();
        for (var n = r.ReadCount(); n > 0; n--)
        {
            cas.Add(new CaDef { Name = r.ReadRequiredString(), Cert = r.ReadString(), Where = ReadWhere(ref r) });
        }
        var procs = new List<ProcDef>();
        for (var n = r.ReadCount(); n > 0; n--)
        {
            procs.Add(new ProcDef
            {
                Name = r.ReadRequiredString(), Command = r.ReadRequiredString(), User = r.ReadString(),
                Group = r.ReadString(), Chroot = r.ReadString(), Protocol = r.ReadString(), Timeout = r.ReadOptionalInt(), Where = ReadWhere(ref r),
            });
        }
        var filters = new List<FilterDef>();
        for (var n = r.ReadCount(); n > 0; n--)
        {
            filters.Add(ReadFilter(ref r));
        }
        var listeners = new List<ListenerDef>();
        for (var n = r.ReadCount(); n > 0; n--)
        {
            listeners.Add(ReadListener(ref r));
        }
        var actions = new List<ActionDef>();
        for (var n = r.ReadCount(); n > 0; n--)
        {
            actions.Add(ReadAction(ref r));
        }
        var rules = new List<MatchRule>();
        for (var n = r.ReadCount(); n > 0; n--)
        {
            rules.Add(ReadRule(ref r));
        }
        var wrappers = new List<MdaWrapperDef>();
        for (var n = r.ReadCount(); n > 0; n--)
        {
            wrappers.Add(new MdaWrapperDef(r.ReadRequiredString(), r.ReadRequiredString()) { Where = ReadWhere(ref r) });
        }
        var mdaLimits = ReadLimits(ref r);
        var mtaLimits = new List<MtaLimitDef>();
        for (var n = r.ReadCount(); n > 0; n--)
        {
            mtaLimits.Add(new MtaLimitDef { Domain = r.ReadString(), Family = r.ReadString(), Settings = ReadLimits(ref r), Where = ReadWhere(ref r) });
        }
        var config = new SmtpdConfig
        {
            Tables = new(tables), Pkis = new(pkis), Cas = new(cas), Procs = new(procs), Filters = new(filters),
            Listeners = new(listeners), Actions = new(actions), Rules = new(rules), MdaWrappers = new(wrappers),
            MdaLimits = mdaLimits, MtaLimits = new(mtaLimits), SchedulerLimits = ReadLimits(ref r), SmtpLimits = ReadLimits(ref r),
            Admd = r.ReadString(), BounceWarnIntervals = ReadInts(ref r), MtaMaxDeferred = r.ReadOptionalLong(),
            QueueCompression = r.ReadBool(), QueueEncryption = r.ReadBool(), QueueKey = r.ReadString(), QueueTtl = r.ReadOptionalInt(),
            SmtpCiphers = r.ReadString(), SmtpMaxMessageSize = r.ReadOptionalLong(), SmtpSubAddrDelim = r.ReadString(),
            SrsKey = r.ReadString(), SrsKeyBackup = r.ReadString(), SrsTtl = r.ReadOptionalInt(),
            MtaDane = r.ReadBool(), MtaSts = r.ReadBool(),
        };
        if (r.Remaining != 0)
        {
            throw new FormatException($"{r.Remaining} trailing bytes after serialized configuration");
        }
        return config;
    }

    private static SourceLocation ReadWhere(ref ConfigBinaryReader r) => new(r.ReadRequiredString(), r.ReadInt());

    private static ValueList<LimitSetting> ReadLimits(ref ConfigBinaryReader r)
    {
        var list = new List<LimitSetting>();
        for (var n = r.ReadCount(); n > 0; n--)
        {
            list.Add(new LimitSetting(r.ReadRequiredString(), r.ReadLong()));
        }
        return new(list);
    }

    private static ValueList<int> ReadInts(ref ConfigBinaryReader r)
    {
        var list = new List<int>();
        for (var n = r.ReadCount(); n > 0; n--)
        {
            list.Add(r.ReadInt());
        }
        return new(list);
    }

    private static ValueList<string> ReadNames(ref ConfigBinaryReader r)
    {
        var list = new List<string>();
        for (var n = r.ReadCount(); n > 0; n--)
        {
            list.Add(r.ReadRequiredString());
        }
        return new(list);
    }

    private static ValueList<TableEntry> ReadEntries(ref ConfigBinaryReader r)
    {
        var list = new List<TableEntry>();
        for (var n = r.ReadCount(); n > 0; n--)
        {
            list.Add(new TableEntry(r.ReadRequiredString(), r.ReadString()));
        }
        return new(list);
    }

    private static TableRef? ReadTableRef(ref ConfigBinaryReader r)
    {
        if (!r.ReadBool())
        {
            return null;
        }
        var name = r.ReadString();
        var entries = ReadEntries(ref r);
        if ((name is null) == (entries.Count == 0))
        {
            throw new FormatException("a table argument must be either a name or inline entries");
        }
        return new TableRef { Name = name, Inline = entries };
    }

    private static FilterDef ReadFilter(ref ConfigBinaryReader r)
    {
        var name = r.ReadRequiredString();
        var kind = (FilterKind)r.ReadEnum((int)FilterKind.DkimSign, nameof(FilterKind));
        string? proc = r.ReadString(), command = r.ReadString(), user = r.ReadString(), group = r.ReadString(), chroot = r.ReadString();
        string? protocol = r.ReadString();
        int? timeout = r.ReadOptionalInt();
        var phase = (FilterPhase)r.ReadEnum((int)FilterPhase.Commit, nameof(FilterPhase));
        FilterCheck? check = null;
        if (r.ReadBool())
        {
            var checkKind = (FilterCheckKind)r.ReadEnum((int)FilterCheckKind.RcptTo, nameof(FilterCheckKind));
            check = new FilterCheck(checkKind, r.ReadBool(), r.ReadBool(), ReadTableRef(ref r));
        }
        return new FilterDef
        {
            Name = name, Kind = kind, Proc = proc, Command = command, User = user, Group = group, Chroot = chroot,
            Protocol = protocol, Timeout = timeout,
            Phase = phase, Check = check,
            Decision = (FilterDecision)r.ReadEnum((int)FilterDecision.Report, nameof(FilterDecision)),
            DecisionArgument = r.ReadString(), Chain = ReadNames(ref r),
            Dkim = r.ReadBool() ? new DkimSignDef(r.ReadRequiredString(), r.ReadRequiredString(), r.ReadRequiredString(), r.ReadRequiredString(), ReadNames(ref r)) : null,
            Where = ReadWhere(ref r),
        };
    }

    private static ListenerDef ReadListener(ref ConfigBinaryReader r) => new()
    {
        IsSocket = r.ReadBool(), Interface = r.ReadString(), Family = r.ReadString(), Port = r.ReadOptionalInt(),
        Tls = (ListenerTls)r.ReadEnum((int)ListenerTls.Smtps, nameof(ListenerTls)), TlsVerify = r.ReadBool(),
        Pkis = ReadNames(ref r), Ca = r.ReadString(), Ciphers = r.ReadString(), Protocols = r.ReadString(), Curves = r.ReadString(),
        Auth = (ListenerAuth)r.ReadEnum((int)ListenerAuth.Optional, nameof(ListenerAuth)), AuthTable = ReadTableRef(ref r),
        Tag = r.ReadString(), Hostname = r.ReadString(), Hostnames = ReadTableRef(ref r), MaskSrc = r.ReadBool(),
        NoDsn = r.ReadBool(), ProxyV2 = r.ReadBool(), ReceivedAuth = r.ReadBool(), Senders = ReadTableRef(ref r),
        Masquerade = r.ReadBool(), ClientFingerprints = ReadTableRef(ref r), PkiTable = ReadTableRef(ref r), Filter = r.ReadString(), FilterChain = ReadNames(ref r), Where = ReadWhere(ref r),
    };

    private static ActionDef ReadAction(ref ConfigBinaryReader r) => new()
    {
        Name = r.ReadRequiredString(), Method = (ActionMethod)r.ReadEnum((int)ActionMethod.Relay, nameof(ActionMethod)),
        MaildirPath = r.ReadString(), Junk = r.ReadBool(), LmtpDestination = r.ReadString(), LmtpRcptTo = r.ReadBool(),
        MdaCommand = r.ReadString(), Alias = ReadTableRef(ref r), Virtual = ReadTableRef(ref r), Userbase = ReadTableRef(ref r),
        User = r.ReadString(), Wrapper = r.ReadString(), Host = ReadTableRef(ref r), Domain = ReadTableRef(ref r),
        Backup = r.ReadBool(), BackupMx = r.ReadString(), Helo = r.ReadString(), HeloSrc = ReadTableRef(ref r),
        Pki = r.ReadString(), Ca = r.ReadString(), Ciphers = r.ReadString(), Protocols = r.ReadString(),
        Src = ReadTableRef(ref r), MailFrom = r.ReadString(), Tls = (RelayTls)r.ReadEnum((int)RelayTls.Fingerprint, nameof(RelayTls)),
        Auth = ReadTableRef(ref r), Filter = r.ReadString(), FilterChain = ReadNames(ref r), Srs = r.ReadBool(),
        Ttl = r.ReadOptionalInt(), Where = ReadWhere(ref r), Fingerprints = ReadTableRef(ref r), MtaSts = r.ReadBool(),
    };

    private static MatchRule ReadRule(ref ConfigBinaryReader r)
    {
        var criteria = new List<MatchCriterion>();
        for (var n = r.ReadCount(); n > 0; n--)
        {
            var kind = (MatchKind)r.ReadEnum((int)MatchKind.RcptTo, nameof(MatchKind));
            criteria.Add(new MatchCriterion(kind, r.ReadBool(), r.ReadBool(), ReadTableRef(ref r)));
        }
        return new MatchRule { Criteria = new(criteria), Reject = r.ReadBool(), Action = r.ReadString(), Where = ReadWhere(ref r) };
    }
}
