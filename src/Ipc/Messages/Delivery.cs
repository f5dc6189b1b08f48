// A delivery attempt as it travels queue → dispatcher → parent (the message descriptor rides
// along; the dispatcher adds the user's userinfo), and the job the parent hands a delivery helper
// running as the recipient user.
// Behaviour reference: usr.sbin/smtpd/queue.c (IMSG_QUEUE_DELIVER), mda.c, smtpd.c forkmda().
using Smtpd.Mime;

namespace Smtpd.Ipc.Messages;

/// <summary>What one delivery needs to know of its envelope; Exec is its mda-exec (a command or file from an alias or .forward), or empty.</summary>
internal readonly record struct DeliveryRequest(ulong EvpId, string Dispatcher, string Sender, string Rcpt, string Dest, string User, string Subaddress, long Creation, string Exec = "") : IImsgLayout<DeliveryRequest>
{
    public static DeliveryRequest Read(ref ImsgReader reader) => new(
        reader.ReadU64(), reader.ReadRequiredString(), reader.ReadRequiredString(), reader.ReadRequiredString(),
        reader.ReadRequiredString(), reader.ReadRequiredString(), reader.ReadRequiredString(), reader.ReadI64(), reader.ReadRequiredString());

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteU64(EvpId);
        writer.WriteString(Dispatcher);
        writer.WriteString(Sender);
        writer.WriteString(Rcpt);
        writer.WriteString(Dest);
        writer.WriteString(User);
        writer.WriteString(Subaddress);
        writer.WriteI64(Creation);
        writer.WriteString(Exec);
    }
}

/// <summary>
/// A local delivery as the dispatcher hands it to the parent (IMSG_MDA_DELIVER, the message
/// descriptor rides along): the envelope's facts and the user the lookup agent found for it in the
/// action's userbase. The parent runs the helper as that user, unless the action names its own
/// delivery user (`user NAME`), whom it looks up itself.
/// </summary>
internal readonly record struct MdaDelivery(DeliveryRequest Request, string UserName, uint Uid, uint Gid, string Directory) : IImsgLayout<MdaDelivery>
{
    public static MdaDelivery Read(ref ImsgReader reader) => new(
        DeliveryRequest.Read(ref reader), reader.ReadRequiredString(), reader.ReadU32(), reader.ReadU32(), reader.ReadRequiredString());

    public void Write(ref ImsgWriter writer)
    {
        Request.Write(ref writer);
        writer.WriteString(UserName);
        writer.WriteU32(Uid);
        writer.WriteU32(Gid);
        writer.WriteString(Directory);
    }
}

/// <summary>
/// A local delivery for the helper: <see cref="MdaMethod"/>, its
/// argument (path, command or LMTP destination, not yet expanded), the user to become, and the
/// envelope facts the %{...} formats use. <see cref="MethodOption"/> is the method's one option: junk
/// filing for maildir, rcpt-to (the recipient address, not the user name, as RCPT TO) for lmtp.
/// </summary>
internal readonly record struct MdaJob(
    ulong EvpId,
    MdaMethod Method,
    string Argument,
    bool MethodOption,
    string UserName,
    uint Uid,
    uint Gid,
    string Home,
    bool DropPrivileges,
    string Sender,
    string Rcpt,
    string Dest,
    string Subaddress,
    string Hostname) : IImsgPayload<MdaJob>
{
    public static ImsgType Type => ImsgType.MdaDeliver;

    public static MdaJob Read(ref ImsgReader reader) => new(
        reader.ReadU64(), (MdaMethod)reader.ReadU8(), reader.ReadRequiredString(), reader.ReadBool(), reader.ReadRequiredString(),
        reader.ReadU32(), reader.ReadU32(), reader.ReadRequiredString(), reader.ReadBool(), reader.ReadRequiredString(),
        reader.ReadRequiredString(), reader.ReadRequiredString(), reader.ReadRequiredString(), reader.ReadRequiredString());

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteU64(EvpId);
        writer.WriteU8((byte)Method);
        writer.WriteString(Argument);
        writer.WriteBool(MethodOption);
        writer.WriteString(UserName);
        writer.WriteU32(Uid);
        writer.WriteU32(Gid);
        writer.WriteString(Home);
        writer.WriteBool(DropPrivileges);
        writer.WriteString(Sender);
        writer.WriteString(Rcpt);
        writer.WriteString(Dest);
        writer.WriteString(Subaddress);
        writer.WriteString(Hostname);
    }
}

/// <summary>
/// A recipient accepted in a transaction, for the queue to turn into an envelope: everything the
/// envelope file records of the session, the sender and the expanded destination.
/// </summary>
internal readonly record struct EnvelopeSubmit(
    ulong ReqId,
    uint MsgId,
    string Dispatcher,
    bool Relay,
    string Tag,
    string SmtpName,
    string Helo,
    string Hostname,
    string AuthUser,
    string SockAddr,
    string Sender,
    string Rcpt,
    string Dest,
    string MdaUser,
    string Subaddress,
    DsnNotify DsnNotify,
    DsnRet DsnRet,
    string DsnEnvId,
    string DsnOrcpt,
    string MdaExec = "") : IImsgPayload<EnvelopeSubmit>
{
    public static ImsgType Type => ImsgType.QueueEnvelopeSubmit;

    public static EnvelopeSubmit Read(ref ImsgReader r) => new(
        r.ReadU64(), r.ReadU32(), r.ReadRequiredString(), r.ReadBool(), r.ReadRequiredString(), r.ReadRequiredString(),
        r.ReadRequiredString(), r.ReadRequiredString(), r.ReadRequiredString(), r.ReadRequiredString(), r.ReadRequiredString(),
        r.ReadRequiredString(), r.ReadRequiredString(), r.ReadRequiredString(), r.ReadRequiredString(), (DsnNotify)r.ReadU8(), (DsnRet)r.ReadU8(),
        r.ReadRequiredString(), r.ReadRequiredString(), r.ReadRequiredString());

    public void Write(ref ImsgWriter w)
    {
        w.WriteU64(ReqId);
        w.WriteU32(MsgId);
        w.WriteString(Dispatcher);
        w.WriteBool(Relay);
        w.WriteString(Tag);
        w.WriteString(SmtpName);
        w.WriteString(Helo);
        w.WriteString(Hostname);
        w.WriteString(AuthUser);
        w.WriteString(SockAddr);
        w.WriteString(Sender);
        w.WriteString(Rcpt);
        w.WriteString(Dest);
        w.WriteString(MdaUser);
        w.WriteString(Subaddress);
        w.WriteU8((byte)DsnNotify);
        w.WriteU8((byte)DsnRet);
        w.WriteString(DsnEnvId);
        w.WriteString(DsnOrcpt);
        w.WriteString(MdaExec);
    }
}

/// <summary>
/// A bounce envelope due for sending (the original message's descriptor rides along): who gets
/// the report, about which recipient, why, and how the sender asked to be told (DSN).
/// Kind is bounce.c's B_FAILED/B_DELAYED/B_DELIVERED.
/// Status is the enhanced status to report ("5.4.6"), or "" to derive it from the error line.
/// </summary>
internal readonly record struct BounceRequest(
    ulong EvpId,
    BounceType Kind,
    string To,
    string FailedRecipient,
    string OriginalRecipient,
    string ErrorLine,
    long Arrival,
    bool ReturnFull,
    string EnvId,
    long Delay = 0,
    long Ttl = 0,
    string Status = "",
    string RemoteMta = "") : IImsgLayout<BounceRequest>
{
    public static BounceRequest Read(ref ImsgReader r) => new(
        r.ReadU64(), (BounceType)r.ReadU8(), r.ReadRequiredString(), r.ReadRequiredString(), r.ReadRequiredString(),
        r.ReadRequiredString(), r.ReadI64(), r.ReadBool(), r.ReadRequiredString(), r.ReadI64(), r.ReadI64(), r.ReadRequiredString(), r.ReadRequiredString());

    public void Write(ref ImsgWriter w)
    {
        w.WriteU64(EvpId);
        w.WriteU8((byte)Kind);
        w.WriteString(To);
        w.WriteString(FailedRecipient);
        w.WriteString(OriginalRecipient);
        w.WriteString(ErrorLine);
        w.WriteI64(Arrival);
        w.WriteBool(ReturnFull);
        w.WriteString(EnvId);
        w.WriteI64(Delay);
        w.WriteI64(Ttl);
        w.WriteString(Status);
        w.WriteString(RemoteMta);
    }
}
