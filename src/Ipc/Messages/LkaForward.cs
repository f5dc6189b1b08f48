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
/// The answer (<see cref="ForwardStatus"/>), with the descriptor attached when one was opened.
/// </summary>
internal readonly record struct LkaOpenForwardReply(ulong ReqId, ForwardStatus Status) : IImsgPayload<LkaOpenForwardReply>
{
    public static ImsgType Type => ImsgType.LkaOpenForwardReply;

    public static LkaOpenForwardReply Read(ref ImsgReader reader) => new(reader.ReadU64(), (ForwardStatus)reader.ReadI32());

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteU64(ReqId);
        writer.WriteI32((int)Status);
    }
}
