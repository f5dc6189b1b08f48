// Dispatcher ↔ queue during a transaction, and the queue's side of deliveries. Envelopes cross
// process boundaries in their on-disk text form, as OpenSMTPD's m_add_envelope does. These are
// layouts shared by several message types (see ImsgType's Queue* and delivery groups).
// Behaviour reference: usr.sbin/smtpd/queue.c queue_imsg(), smtp_session.c.
namespace Smtpd.Ipc.Messages;

/// <summary>A request id and a message id: create (id 0), open, commit, rollback; and their replies with Ok.</summary>
internal readonly record struct MsgRequest(ulong ReqId, uint MsgId, bool Ok = true) : IImsgLayout<MsgRequest>
{
    public static MsgRequest Read(ref ImsgReader reader) => new(reader.ReadU64(), reader.ReadU32(), reader.ReadBool());

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteU64(ReqId);
        writer.WriteU32(MsgId);
        writer.WriteBool(Ok);
    }
}

/// <summary>
/// Commit a message whose body is <paramref name="BodyLength"/> bytes: the body file may be a
/// reused one, longer than what was written into it (FsQueueBackend.Recycle). Answered with a
/// MsgRequest (QueueMessageCommitReply).
/// </summary>
internal readonly record struct MsgCommit(ulong ReqId, uint MsgId, long BodyLength) : IImsgPayload<MsgCommit>
{
    public static ImsgType Type => ImsgType.QueueMessageCommit;

    public static MsgCommit Read(ref ImsgReader reader) => new(reader.ReadU64(), reader.ReadU32(), (long)reader.ReadU64());

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteU64(ReqId);
        writer.WriteU32(MsgId);
        writer.WriteU64((ulong)BodyLength);
    }
}

/// <summary>A request id and an envelope id, with Ok: the reply to a submission.</summary>
internal readonly record struct EvpReply(ulong ReqId, ulong EvpId, bool Ok) : IImsgLayout<EvpReply>
{
    public static EvpReply Read(ref ImsgReader reader) => new(reader.ReadU64(), reader.ReadU64(), reader.ReadBool());

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteU64(ReqId);
        writer.WriteU64(EvpId);
        writer.WriteBool(Ok);
    }
}

/// <summary>
/// The outcome of one delivery attempt (<see cref="DeliveryOutcomeStatus"/>); the error line and the enhanced status for logs, envelopes and bounces. SysError is
/// what a delivery program's exit status means (sysexits(3)), for the delivery log line only.
/// </summary>
internal readonly record struct DeliveryOutcome(ulong EvpId, DeliveryOutcomeStatus Status, string ErrorLine, string SysError = "") : IImsgLayout<DeliveryOutcome>
{
    public static DeliveryOutcome Read(ref ImsgReader reader) => new(reader.ReadU64(), (DeliveryOutcomeStatus)reader.ReadU8(), reader.ReadRequiredString(), reader.ReadRequiredString());

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteU64(EvpId);
        writer.WriteU8((byte)Status);
        writer.WriteString(ErrorLine);
        writer.WriteString(SysError);
    }
}

/// <summary>What the scheduler needs of a committed envelope; Domain is the destination's, for the per-domain in-flight limit.</summary>
internal readonly record struct ScheduleEntry(ulong EvpId, DeliveryKind Kind, long Creation, long Ttl, int Retry, long LastBounce = 0, string Domain = "") : IImsgLayout<ScheduleEntry>
{
    public static ScheduleEntry Read(ref ImsgReader reader) => new(reader.ReadU64(), (DeliveryKind)reader.ReadU8(), reader.ReadI64(), reader.ReadI64(), reader.ReadI32(), reader.ReadI64(), reader.ReadRequiredString());

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteU64(EvpId);
        writer.WriteU8((byte)Kind);
        writer.WriteI64(Creation);
        writer.WriteI64(Ttl);
        writer.WriteI32(Retry);
        writer.WriteI64(LastBounce);
        writer.WriteString(Domain);
    }
}

/// <summary>A delay warning is due: the envelope, the warning's point in time and the delay it reports (IMSG_SCHED_ENVELOPE_BOUNCE).</summary>
internal readonly record struct DelayWarning(ulong EvpId, long Timestamp, long Delay) : IImsgLayout<DelayWarning>
{
    public static DelayWarning Read(ref ImsgReader reader) => new(reader.ReadU64(), reader.ReadI64(), reader.ReadI64());

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteU64(EvpId);
        writer.WriteI64(Timestamp);
        writer.WriteI64(Delay);
    }
}
