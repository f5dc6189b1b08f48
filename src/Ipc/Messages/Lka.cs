// Dispatcher ↔ lookup agent: who the client is, and what a recipient expands to.
// Behaviour reference: usr.sbin/smtpd/lka.c, lka_session.c, smtp_session.c.
namespace Smtpd.Ipc.Messages;

/// <summary>Reverse DNS of a connecting client (before the greeting).</summary>
internal readonly record struct LkaClientLookup(ulong ReqId, string Address) : IImsgPayload<LkaClientLookup>
{
    public static ImsgType Type => ImsgType.LkaClientLookup;

    public static LkaClientLookup Read(ref ImsgReader reader) => new(reader.ReadU64(), reader.ReadRequiredString());

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteU64(ReqId);
        writer.WriteString(Address);
    }
}

/// <summary>The client's PTR name (null if none) and FCrDNS verdict; an unknown verdict is read as it came, for the reader to judge.</summary>
internal readonly record struct LkaClientLookupReply(ulong ReqId, string? Rdns, FcrdnsResult Fcrdns) : IImsgPayload<LkaClientLookupReply>
{
    public static ImsgType Type => ImsgType.LkaClientLookupReply;

    public static LkaClientLookupReply Read(ref ImsgReader reader) => new(reader.ReadU64(), reader.ReadString(), (FcrdnsResult)reader.ReadU8());

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteU64(ReqId);
        writer.WriteString(Rdns);
        writer.WriteU8((byte)Fcrdns);
    }
}

/// <summary>One RCPT TO to match against the ruleset and expand; the template envelope carries the session's facts.</summary>
internal readonly record struct LkaExpandRcpt(ulong ReqId, string? Tag, string Source, string? Rdns, string Helo, string? AuthUser, bool Tls, string Sender, string Recipient) : IImsgPayload<LkaExpandRcpt>
{
    public static ImsgType Type => ImsgType.LkaExpandRcpt;

    public static LkaExpandRcpt Read(ref ImsgReader reader) => new(
        reader.ReadU64(), reader.ReadString(), reader.ReadRequiredString(), reader.ReadString(), reader.ReadRequiredString(),
        reader.ReadString(), reader.ReadBool(), reader.ReadRequiredString(), reader.ReadRequiredString());

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteU64(ReqId);
        writer.WriteString(Tag);
        writer.WriteString(Source);
        writer.WriteString(Rdns);
        writer.WriteString(Helo);
        writer.WriteString(AuthUser);
        writer.WriteBool(Tls);
        writer.WriteString(Sender);
        writer.WriteString(Recipient);
    }
}

/// <summary>
/// One final destination a recipient expanded to: the action, local (mda) or relay (mta), the
/// user, the address, the sub-address tag, and for a |command or /file from an alias or a
/// .forward the mda-exec text (<see cref="MdaExecText"/>) that replaces the action's method.
/// </summary>
internal readonly record struct LkaDelivery(string Dispatcher, bool Relay, string User, string Dest, string Subaddress, string Exec = "");

/// <summary>
/// The verdict (<see cref="ExpandStatus"/>; one delivery per final destination when accepted),
/// with the SMTP reply text to give when not accepted.
/// </summary>
internal readonly record struct LkaExpandReply(ulong ReqId, ExpandStatus Status, string Reply, LkaDelivery[] Deliveries) : IImsgPayload<LkaExpandReply>
{
    public static ImsgType Type => ImsgType.LkaExpandReply;

    public static LkaExpandReply Read(ref ImsgReader reader)
    {
        ulong id = reader.ReadU64();
        var status = (ExpandStatus)reader.ReadU8();
        string reply = reader.ReadRequiredString();
        uint n = reader.ReadU32();
        if (n > 100_000)
        {
            throw new ImsgFormatException("too many deliveries");
        }

        var list = new LkaDelivery[n];
        for (int i = 0; i < n; i++)
        {
            list[i] = new LkaDelivery(reader.ReadRequiredString(), reader.ReadBool(), reader.ReadRequiredString(), reader.ReadRequiredString(), reader.ReadRequiredString(), reader.ReadRequiredString());
        }

        return new LkaExpandReply(id, status, reply, list);
    }

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteU64(ReqId);
        writer.WriteU8((byte)Status);
        writer.WriteString(Reply);
        writer.WriteU32((uint)Deliveries.Length);
        foreach (var d in Deliveries)
        {
            writer.WriteString(d.Dispatcher);
            writer.WriteBool(d.Relay);
            writer.WriteString(d.User);
            writer.WriteString(d.Dest);
            writer.WriteString(d.Subaddress);
            writer.WriteString(d.Exec);
        }
    }
}
