// The mta's messages: a relay envelope handed to the dispatcher, the route the lookup agent finds
// for it (relay host or MX hosts with their addresses, the relay's credentials, helo and source),
// and how each envelope ended, with the remote MTA that answered (for the bounce's Remote-MTA).
// Behaviour reference: usr.sbin/smtpd/mta.c (IMSG_QUEUE_TRANSFER, IMSG_MTA_DNS_HOST, IMSG_MTA_DNS_MX,
// IMSG_MTA_LOOKUP_CREDENTIALS, IMSG_MTA_LOOKUP_SOURCE, IMSG_MTA_LOOKUP_HELO, IMSG_MTA_DELIVERY_*).
using Smtpd.Mime;

namespace Smtpd.Ipc.Messages;

/// <summary>A relay envelope due for delivery (queue → dispatcher).</summary>
internal readonly record struct MtaDeliverRequest(
    ulong EvpId,
    string Dispatcher,
    string Sender,
    string Rcpt,
    string Dest,
    long Creation,
    DsnNotify DsnNotify,
    DsnRet DsnRet,
    string DsnEnvId,
    string DsnOrcpt,
    string SmtpName) : IImsgPayload<MtaDeliverRequest>
{
    public static ImsgType Type => ImsgType.MtaDeliver;

    public uint MsgId => (uint)(EvpId >> 32);

    /// <summary>The destination's domain, lower case: what the route is chosen for.</summary>
    public string Domain => Dest[(Dest.LastIndexOf('@') + 1)..].ToLowerInvariant();

    public static MtaDeliverRequest Read(ref ImsgReader r) => new(
        r.ReadU64(), r.ReadRequiredString(), r.ReadRequiredString(), r.ReadRequiredString(), r.ReadRequiredString(), r.ReadI64(),
        (DsnNotify)r.ReadU8(), (DsnRet)r.ReadU8(), r.ReadRequiredString(), r.ReadRequiredString(), r.ReadRequiredString());

    public void Write(ref ImsgWriter w)
    {
        w.WriteU64(EvpId);
        w.WriteString(Dispatcher);
        w.WriteString(Sender);
        w.WriteString(Rcpt);
        w.WriteString(Dest);
        w.WriteI64(Creation);
        w.WriteU8((byte)DsnNotify);
        w.WriteU8((byte)DsnRet);
        w.WriteString(DsnEnvId);
        w.WriteString(DsnOrcpt);
        w.WriteString(SmtpName);
    }
}

/// <summary>Which hosts to try for a relay action's mail to a domain (dispatcher → lka).</summary>
internal readonly record struct MtaRouteLookup(ulong ReqId, string Dispatcher, string Domain, string SmtpName) : IImsgPayload<MtaRouteLookup>
{
    public static ImsgType Type => ImsgType.MtaRouteLookup;

    public static MtaRouteLookup Read(ref ImsgReader r) => new(r.ReadU64(), r.ReadRequiredString(), r.ReadRequiredString(), r.ReadRequiredString());

    public void Write(ref ImsgWriter w)
    {
        w.WriteU64(ReqId);
        w.WriteString(Dispatcher);
        w.WriteString(Domain);
        w.WriteString(SmtpName);
    }
}

/// <summary>One host to try: its MX preference (0 for a relay host), name and addresses ("192.0.2.1", "2001:db8::1").</summary>
internal readonly record struct MtaHost(ushort Preference, string Name, string[] Addresses);

/// <summary>
/// The route (lka → dispatcher): the hosts in the order to try them (equal preferences already
/// shuffled), the scheme and port, whether the peer's certificate is verified, the credentials
/// for AUTH ("" for none), the helo name and source address ("" for the defaults) and mail-from.
/// </summary>
internal readonly record struct MtaRouteReply(
    ulong ReqId,
    MtaRouteStatus Status,
    string Error,
    MtaScheme Scheme,
    int Port,
    bool Verify,
    string AuthUser,
    string AuthPassword,
    string Helo,
    string Source,
    string MailFrom,
    MtaHost[] Hosts) : IImsgPayload<MtaRouteReply>
{
    public static ImsgType Type => ImsgType.MtaRouteReply;

    public static MtaRouteReply Fail(ulong reqId, MtaRouteStatus status, string error) =>
        new(reqId, status, error, MtaScheme.Smtp, 25, false, string.Empty, string.Empty, string.Empty, string.Empty, string.Empty, []);

    public static MtaRouteReply Read(ref ImsgReader r)
    {
        var reply = new MtaRouteReply(
            r.ReadU64(), (MtaRouteStatus)r.ReadU8(), r.ReadRequiredString(), (MtaScheme)r.ReadU8(), r.ReadI32(), r.ReadBool(),
            r.ReadRequiredString(), r.ReadRequiredString(), r.ReadRequiredString(), r.ReadRequiredString(), r.ReadRequiredString(), []);
        int n = r.ReadI32();
        if (n is < 0 or > 256)
        {
            throw new ImsgFormatException($"route with {n} hosts");
        }

        var hosts = new MtaHost[n];
        for (int i = 0; i < n; i++)
        {
            ushort pref = (ushort)r.ReadU32();
            string name = r.ReadRequiredString();
            int m = r.ReadI32();
            if (m is < 0 or > 256)
            {
                throw new ImsgFormatException($"host with {m} addresses");
            }

            var addrs = new string[m];
            for (int j = 0; j < m; j++)
            {
                addrs[j] = r.ReadRequiredString();
            }

            hosts[i] = new MtaHost(pref, name, addrs);
        }

        return reply with { Hosts = hosts };
    }

    public void Write(ref ImsgWriter w)
    {
        w.WriteU64(ReqId);
        w.WriteU8((byte)Status);
        w.WriteString(Error);
        w.WriteU8((byte)Scheme);
        w.WriteI32(Port);
        w.WriteBool(Verify);
        w.WriteString(AuthUser);
        w.WriteString(AuthPassword);
        w.WriteString(Helo);
        w.WriteString(Source);
        w.WriteString(MailFrom);
        w.WriteI32(Hosts.Length);
        foreach (var h in Hosts)
        {
            w.WriteU32(h.Preference);
            w.WriteString(h.Name);
            w.WriteI32(h.Addresses.Length);
            foreach (var a in h.Addresses)
            {
                w.WriteString(a);
            }
        }
    }
}

/// <summary>
/// How one relay envelope ended (dispatcher → queue). RemoteMta is the host that gave the reply
/// ("mx.example.org"), "" when no peer answered; ErrorLine is the peer's reply or our reason.
/// For a delivery (Ok), RemoteMta is set only when the peer does not speak DSN: a success
/// report the sender asked for is then ours to send, as "relayed".
/// </summary>
internal readonly record struct MtaOutcome(ulong EvpId, DeliveryOutcomeStatus Status, string ErrorLine, string RemoteMta) : IImsgPayload<MtaOutcome>
{
    public static ImsgType Type => ImsgType.MtaDeliveryResult;

    public static MtaOutcome Read(ref ImsgReader r) => new(r.ReadU64(), (DeliveryOutcomeStatus)r.ReadU8(), r.ReadRequiredString(), r.ReadRequiredString());

    public void Write(ref ImsgWriter w)
    {
        w.WriteU64(EvpId);
        w.WriteU8((byte)Status);
        w.WriteString(ErrorLine);
        w.WriteString(RemoteMta);
    }
}

/// <summary>An envelope to try now (dispatcher → queue → scheduler): a host of its domain works again.</summary>
internal readonly record struct MtaSchedule(ulong EvpId) : IImsgPayload<MtaSchedule>
{
    public static ImsgType Type => ImsgType.MtaSchedule;

    public static MtaSchedule Read(ref ImsgReader r) => new(r.ReadU64());

    public void Write(ref ImsgWriter w) => w.WriteU64(EvpId);
}
