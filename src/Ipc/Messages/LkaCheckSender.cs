// Dispatcher ↔ lookup agent for `listen on ... senders <table>`: may this authenticated user send
// as this MAIL FROM address? The dispatcher names the listener; the lookup agent finds its senders
// table, looks the user up (K_MAILADDRMAP: a list of addresses, "@domain" entries and catch-alls)
// and answers with the verdict an AUTH check uses (Ok, Fail = "530 Sender rejected", TempFail).
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (IMSG_SMTP_CHECK_SENDER), lka.c lka_mailaddrmap().
namespace Smtpd.Ipc.Messages;

/// <summary>
/// Check that <paramref name="User"/> (the authenticated name) may use <paramref name="Sender"/>
/// ("user@domain", empty for the null sender) on listener number <paramref name="ListenerIndex"/>.
/// </summary>
internal readonly record struct LkaCheckSender(ulong ReqId, int ListenerIndex, string User, string Sender) : IImsgPayload<LkaCheckSender>
{
    public static ImsgType Type => ImsgType.LkaCheckSender;

    public static LkaCheckSender Read(ref ImsgReader reader) => new(reader.ReadU64(), reader.ReadI32(), reader.ReadRequiredString(), reader.ReadRequiredString());

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteU64(ReqId);
        writer.WriteI32(ListenerIndex);
        writer.WriteString(User);
        writer.WriteString(Sender);
    }
}

/// <summary>The verdict (<see cref="AuthStatus"/>: Ok, Fail for a sender the user may not use, TempFail).</summary>
internal readonly record struct LkaCheckSenderReply(ulong ReqId, AuthStatus Status) : IImsgPayload<LkaCheckSenderReply>
{
    public static ImsgType Type => ImsgType.LkaCheckSenderReply;

    public static LkaCheckSenderReply Read(ref ImsgReader reader)
    {
        var reply = new LkaCheckSenderReply(reader.ReadU64(), (AuthStatus)reader.ReadU8());
        return reply.Status <= AuthStatus.TempFail ? reply : throw new ImsgFormatException($"sender check status {reply.Status}");
    }

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteU64(ReqId);
        writer.WriteU8((byte)Status);
    }
}
