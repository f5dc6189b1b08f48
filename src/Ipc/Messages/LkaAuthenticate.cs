// Dispatcher ↔ lookup agent for AUTH PLAIN/LOGIN: does this password belong to this user? The
// dispatcher names the listener the client is on; the lookup agent finds its `auth <table>`
// in the configuration it holds (an inline credentials table has no name to send). For a
// listener without a table the lookup agent asks the parent the same question about the
// system's users (no listener then: -1).
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (IMSG_SMTP_AUTHENTICATE), lka.c
// lka_authenticate(), smtpd.c (IMSG_LKA_AUTHENTICATE).
namespace Smtpd.Ipc.Messages;

/// <summary>
/// Check <paramref name="User"/> and <paramref name="Password"/> against the credentials of
/// listener number <paramref name="ListenerIndex"/> (an index into the configuration's listeners;
/// -1 from the lookup agent to the parent, which checks system users).
/// The strings hold the client's bytes one char per byte (Latin-1).
/// </summary>
internal readonly record struct LkaAuthenticate(ulong ReqId, int ListenerIndex, string User, string Password) : IImsgPayload<LkaAuthenticate>
{
    public static ImsgType Type => ImsgType.LkaAuthenticate;

    public static LkaAuthenticate Read(ref ImsgReader reader) => new(reader.ReadU64(), reader.ReadI32(), reader.ReadRequiredString(), reader.ReadRequiredString());

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteU64(ReqId);
        writer.WriteI32(ListenerIndex);
        writer.WriteString(User);
        writer.WriteString(Password);
    }

    // The password stays out of traces and exception messages.
    public override string ToString() => $"LkaAuthenticate {{ ReqId = {ReqId}, ListenerIndex = {ListenerIndex}, User = {User} }}";
}

/// <summary>The verdict (<see cref="AuthStatus"/>).</summary>
internal readonly record struct LkaAuthenticateReply(ulong ReqId, AuthStatus Status) : IImsgPayload<LkaAuthenticateReply>
{
    public static ImsgType Type => ImsgType.LkaAuthenticateReply;

    public static LkaAuthenticateReply Read(ref ImsgReader reader)
    {
        var reply = new LkaAuthenticateReply(reader.ReadU64(), (AuthStatus)reader.ReadU8());
        return reply.Status <= AuthStatus.TempFail ? reply : throw new ImsgFormatException($"authentication status {reply.Status}");
    }

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteU64(ReqId);
        writer.WriteU8((byte)Status);
    }
}
