// Dispatcher ↔ lookup agent before a local delivery: who is this envelope's user in its action's
// userbase? The dispatcher names the action, not the table: the lookup agent holds the
// configuration, and an inline userbase table has no name to send.
// Behaviour reference: usr.sbin/smtpd/mda.c mda_user(), lka.c (IMSG_MDA_LOOKUP_USERINFO, lka_userinfo).
namespace Smtpd.Ipc.Messages;

/// <summary>Look <paramref name="User"/> up in the userbase of the action named <paramref name="Dispatcher"/>.</summary>
internal readonly record struct LkaUserinfoLookup(ulong ReqId, string Dispatcher, string User) : IImsgPayload<LkaUserinfoLookup>
{
    public static ImsgType Type => ImsgType.LkaUserinfoLookup;

    public static LkaUserinfoLookup Read(ref ImsgReader reader) => new(reader.ReadU64(), reader.ReadRequiredString(), reader.ReadRequiredString());

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteU64(ReqId);
        writer.WriteString(Dispatcher);
        writer.WriteString(User);
    }
}

/// <summary>
/// The answer: <see cref="UserinfoStatus.Found"/> with the user's name, ids and home directory (only then are
/// they on the wire, as OpenSMTPD adds the userinfo only on LKA_OK), <see cref="UserinfoStatus.NotFound"/>, or
/// <see cref="UserinfoStatus.TempFail"/> when the table could not answer.
/// </summary>
internal readonly record struct LkaUserinfoReply(ulong ReqId, UserinfoStatus Status, string Name = "", uint Uid = 0, uint Gid = 0, string Directory = "") : IImsgPayload<LkaUserinfoReply>
{
    public static ImsgType Type => ImsgType.LkaUserinfoReply;

    public static LkaUserinfoReply Read(ref ImsgReader reader)
    {
        ulong id = reader.ReadU64();
        var status = (UserinfoStatus)reader.ReadU8();
        if (status > UserinfoStatus.TempFail)
        {
            throw new ImsgFormatException($"userinfo status {status}");
        }

        return status == UserinfoStatus.Found
            ? new LkaUserinfoReply(id, status, reader.ReadRequiredString(), reader.ReadU32(), reader.ReadU32(), reader.ReadRequiredString())
            : new LkaUserinfoReply(id, status);
    }

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteU64(ReqId);
        writer.WriteU8((byte)Status);
        if (Status == UserinfoStatus.Found)
        {
            writer.WriteString(Name);
            writer.WriteU32(Uid);
            writer.WriteU32(Gid);
            writer.WriteString(Directory);
        }
    }
}
