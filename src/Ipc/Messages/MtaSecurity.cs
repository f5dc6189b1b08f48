// The mta's secure-transport questions to the lookup agent (which alone reads tables and asks
// DNS): an MX host's TLSA records with the resolver's DNSSEC verdict (DANE, RFC 7672), a
// domain's MTA-STS record and the addresses of its policy host (RFC 8461, the policy itself is
// fetched by the mta over HTTPS), and whether a relay action pins a peer's certificate fingerprint.
namespace Smtpd.Ipc.Messages;

/// <summary>The TLSA records of _PORT._tcp.HOST (dispatcher → lka).</summary>
internal readonly record struct MtaTlsaLookup(ulong ReqId, string Host, int Port) : IImsgPayload<MtaTlsaLookup>
{
    public static ImsgType Type => ImsgType.MtaTlsaLookup;

    public static MtaTlsaLookup Read(ref ImsgReader r) => new(r.ReadU64(), r.ReadRequiredString(), r.ReadI32());

    public void Write(ref ImsgWriter w)
    {
        w.WriteU64(ReqId);
        w.WriteString(Host);
        w.WriteI32(Port);
    }
}

/// <summary>One TLSA record: usage, selector, matching type, association data.</summary>
internal readonly record struct MtaTlsa(byte Usage, byte Selector, byte MatchingType, byte[] Data);

/// <summary>
/// The answer (lka → dispatcher): Found only with records from a DNSSEC-validated answer
/// (RFC 7672 section 2.2: records that are not are ignored); TempFail when the lookup failed.
/// </summary>
internal readonly record struct MtaTlsaReply(ulong ReqId, MtaSecurityStatus Status, MtaTlsa[] Records) : IImsgPayload<MtaTlsaReply>
{
    public static ImsgType Type => ImsgType.MtaTlsaReply;

    public static MtaTlsaReply Read(ref ImsgReader r)
    {
        ulong id = r.ReadU64();
        var status = (MtaSecurityStatus)r.ReadU8();
        int n = r.ReadI32();
        if (n is < 0 or > 256)
        {
            throw new ImsgFormatException($"{n} TLSA records");
        }

        var records = new MtaTlsa[n];
        for (int i = 0; i < n; i++)
        {
            records[i] = new MtaTlsa(r.ReadU8(), r.ReadU8(), r.ReadU8(), r.ReadBytes().ToArray());
        }

        return new MtaTlsaReply(id, status, records);
    }

    public void Write(ref ImsgWriter w)
    {
        w.WriteU64(ReqId);
        w.WriteU8((byte)Status);
        w.WriteI32(Records.Length);
        foreach (var t in Records)
        {
            w.WriteU8(t.Usage);
            w.WriteU8(t.Selector);
            w.WriteU8(t.MatchingType);
            w.WriteBytes(t.Data);
        }
    }
}

/// <summary>The MTA-STS record of a domain (_mta-sts.DOMAIN TXT) and its policy host's addresses (dispatcher → lka).</summary>
internal readonly record struct MtaStsLookup(ulong ReqId, string Domain) : IImsgPayload<MtaStsLookup>
{
    public static ImsgType Type => ImsgType.MtaStsLookup;

    public static MtaStsLookup Read(ref ImsgReader r) => new(r.ReadU64(), r.ReadRequiredString());

    public void Write(ref ImsgWriter w)
    {
        w.WriteU64(ReqId);
        w.WriteString(Domain);
    }
}

/// <summary>
/// The answer (lka → dispatcher): Found with the record's id and the addresses of
/// mta-sts.DOMAIN ("192.0.2.1", "2001:db8::1"; possibly none); None when the domain publishes no
/// valid STSv1 record; TempFail when DNS failed.
/// </summary>
internal readonly record struct MtaStsReply(ulong ReqId, MtaSecurityStatus Status, string Id, string[] Addresses) : IImsgPayload<MtaStsReply>
{
    public static ImsgType Type => ImsgType.MtaStsReply;

    public static MtaStsReply Read(ref ImsgReader r)
    {
        ulong id = r.ReadU64();
        var status = (MtaSecurityStatus)r.ReadU8();
        string policyId = r.ReadRequiredString();
        int n = r.ReadI32();
        if (n is < 0 or > 256)
        {
            throw new ImsgFormatException($"{n} policy host addresses");
        }

        var addrs = new string[n];
        for (int i = 0; i < n; i++)
        {
            addrs[i] = r.ReadRequiredString();
        }

        return new MtaStsReply(id, status, policyId, addrs);
    }

    public void Write(ref ImsgWriter w)
    {
        w.WriteU64(ReqId);
        w.WriteU8((byte)Status);
        w.WriteString(Id);
        w.WriteI32(Addresses.Length);
        foreach (var a in Addresses)
        {
            w.WriteString(a);
        }
    }
}

/// <summary>Whether relay action Action's fingerprint table holds Fingerprint ("SHA256:hex") (dispatcher → lka).</summary>
internal readonly record struct MtaFingerprintCheck(ulong ReqId, string Action, string Fingerprint) : IImsgPayload<MtaFingerprintCheck>
{
    public static ImsgType Type => ImsgType.MtaFingerprintCheck;

    public static MtaFingerprintCheck Read(ref ImsgReader r) => new(r.ReadU64(), r.ReadRequiredString(), r.ReadRequiredString());

    public void Write(ref ImsgWriter w)
    {
        w.WriteU64(ReqId);
        w.WriteString(Action);
        w.WriteString(Fingerprint);
    }
}

/// <summary>The verdict (lka → dispatcher): Found when pinned, None when not, TempFail when the table failed.</summary>
internal readonly record struct MtaFingerprintReply(ulong ReqId, MtaSecurityStatus Status) : IImsgPayload<MtaFingerprintReply>
{
    public static ImsgType Type => ImsgType.MtaFingerprintReply;

    public static MtaFingerprintReply Read(ref ImsgReader r) => new(r.ReadU64(), (MtaSecurityStatus)r.ReadU8());

    public void Write(ref ImsgWriter w)
    {
        w.WriteU64(ReqId);
        w.WriteU8((byte)Status);
    }
}
