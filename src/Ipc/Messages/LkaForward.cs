// Lookup agent ↔ parent: the lka may not read users' home directories, so it asks the parent
// (root) to open ~/.forward and pass the descriptor back.
// Behaviour reference: usr.sbin/smtpd/lka_session.c, smtpd.c (IMSG_LKA_OPEN_FORWARD).
namespace Smtpd.Ipc.Messages;

/// <summary>Open <c>Directory/.forward</c> for <c>User</c>, checking it belongs to <c>Uid</c>.</summary>
internal readonly record struct LkaOpenForward(ulong ReqId, string User, string Directory, uint Uid, uint Gid) : IImsgPayload<LkaOpenForward>
{
    public static ImsgType Type => ImsgType.LkaOpenForward;

    public static LkaOpenForward Read(ref ImsgReader reader) =>
        new(reader.ReadU64(), reader.ReadRequiredString(), reader.ReadRequiredString(), reader.ReadU32(), reader.ReadU32());

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteU64(ReqId);
        writer.WriteString(User);
        writer.WriteString(Directory);
        writer.WriteU32(Uid);
        writer.WriteU32(Gid);
    }
}

/// <summary>
/// The answer, with the descriptor attached when one was opened. Status as OpenSMTPD's forward_req:
/// 1 opened or no file (deliver normally), 0 refused (permanent), -1 try again later.
/// </summary>
internal readonly record struct LkaOpenForwardReply(ulong ReqId, int Status) : IImsgPayload<LkaOpenForwardReply>
{
    public const int Refused = 0;
    public const int Ok = 1;
    public const int TryLater = -1;

    public static ImsgType Type => ImsgType.LkaOpenForwardReply;

    public static LkaOpenForwardReply Read(ref ImsgReader reader) => new(reader.ReadU64(), reader.ReadI32());

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteU64(ReqId);
        writer.WriteI32(Status);
    }
}
