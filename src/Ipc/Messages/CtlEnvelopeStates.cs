// The scheduler's view of some envelopes, for a queue listing: whether each is in flight or
// suspended and the time that goes with it (the next try when pending, the attempt's start when in
// flight). Sent in batches to the queue, which adds what the envelope files say; Last marks the
// final batch. PeerId carries the control client's id throughout.
namespace Smtpd.Ipc.Messages;

internal readonly record struct EnvelopeRunState(ulong EvpId, bool InFlight, bool Suspended, long Time);

internal readonly record struct CtlEnvelopeStates(bool Last, IReadOnlyList<EnvelopeRunState> States) : IImsgPayload<CtlEnvelopeStates>
{
    public static ImsgType Type => ImsgType.CtlEnvelopeStates;

    public static CtlEnvelopeStates Read(ref ImsgReader reader)
    {
        bool last = reader.ReadBool();
        uint n = reader.ReadU32();
        var states = new List<EnvelopeRunState>((int)Math.Min(n, 4096));
        for (uint i = 0; i < n; i++)
        {
            ulong evpid = reader.ReadU64();
            byte flags = reader.ReadU8();
            states.Add(new EnvelopeRunState(evpid, (flags & 1) != 0, (flags & 2) != 0, reader.ReadI64()));
        }

        return new CtlEnvelopeStates(last, states);
    }

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteBool(Last);
        writer.WriteU32((uint)States.Count);
        foreach (var s in States)
        {
            writer.WriteU64(s.EvpId);
            writer.WriteU8((byte)((s.InFlight ? 1 : 0) | (s.Suspended ? 2 : 0)));
            writer.WriteI64(s.Time);
        }
    }
}
