// Payloads of smtpctl's administration commands: envelope commands and their counts, counters
// and their listing, trace and profile masks. Values of CtlEnvelopeAction are wire format.
// Behaviour reference: usr.sbin/smtpd/control.c, scheduler.c (IMSG_CTL_SCHEDULE, _REMOVE, _PAUSE_EVP).
namespace Smtpd.Ipc.Messages;

internal enum CtlEnvelopeAction : byte
{
    Schedule = 0,
    Remove = 1,
    Pause = 2,
    Resume = 3,
}

/// <summary>One envelope command. Id is an envelope id, a message id (at most 32 bits) or 0 for all.</summary>
internal readonly record struct CtlEnvelopeCommand(CtlEnvelopeAction Action, ulong Id) : IImsgPayload<CtlEnvelopeCommand>
{
    public static ImsgType Type => ImsgType.CtlEnvelopeCommand;

    public static CtlEnvelopeCommand Read(ref ImsgReader reader) => new((CtlEnvelopeAction)reader.ReadU8(), reader.ReadU64());

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteU8((byte)Action);
        writer.WriteU64(Id);
    }
}

/// <summary>How many envelopes a command touched.</summary>
internal readonly record struct CtlCount(long Count) : IImsgPayload<CtlCount>
{
    public static ImsgType Type => ImsgType.CtlCount;

    public static CtlCount Read(ref ImsgReader reader) => new(reader.ReadI64());

    public void Write(ref ImsgWriter writer) => writer.WriteI64(Count);
}

/// <summary>An envelope or message id: discover, and the scheduler's removals to the queue.</summary>
internal readonly record struct CtlId(ulong Id) : IImsgLayout<CtlId>
{
    public static CtlId Read(ref ImsgReader reader) => new(reader.ReadU64());

    public void Write(ref ImsgWriter writer) => writer.WriteU64(Id);
}

/// <summary>A counter moved by a role (stat_increment with a positive delta, stat_decrement with a negative one).</summary>
internal readonly record struct StatUpdate(string Key, long Delta) : IImsgPayload<StatUpdate>
{
    public static ImsgType Type => ImsgType.StatUpdate;

    public static StatUpdate Read(ref ImsgReader reader) => new(reader.ReadRequiredString(), reader.ReadI64());

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteString(Key);
        writer.WriteI64(Delta);
    }
}

/// <summary>`show stats`: when the daemon started and every counter, sorted by key.</summary>
internal readonly record struct CtlStats(long StartedUnix, IReadOnlyList<KeyValuePair<string, long>> Counters) : IImsgPayload<CtlStats>
{
    public static ImsgType Type => ImsgType.CtlGetStats;

    public static CtlStats Read(ref ImsgReader reader)
    {
        long started = reader.ReadI64();
        uint n = reader.ReadU32();
        var counters = new List<KeyValuePair<string, long>>((int)Math.Min(n, 1024));
        for (uint i = 0; i < n; i++)
        {
            counters.Add(new(reader.ReadRequiredString(), reader.ReadI64()));
        }

        return new CtlStats(started, counters);
    }

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteI64(StartedUnix);
        writer.WriteU32((uint)Counters.Count);
        foreach (var c in Counters)
        {
            writer.WriteString(c.Key);
            writer.WriteI64(c.Value);
        }
    }
}

/// <summary>`monitor`: the running totals control keeps (struct stat_digest), differenced by smtpctl.</summary>
internal readonly record struct CtlDigest(
    long ClientConnect, long ClientDisconnect, long EnvelopeEnqueued, long EnvelopeDequeued, long EnvelopeExpired,
    long EnvelopeRemoved, long EnvelopeBounce, long DeliveryOk, long DeliveryTempFail, long DeliveryPermFail, long DeliveryLoop) : IImsgPayload<CtlDigest>
{
    public static ImsgType Type => ImsgType.CtlGetDigest;

    public static CtlDigest Read(ref ImsgReader reader) => new(
        reader.ReadI64(), reader.ReadI64(), reader.ReadI64(), reader.ReadI64(), reader.ReadI64(),
        reader.ReadI64(), reader.ReadI64(), reader.ReadI64(), reader.ReadI64(), reader.ReadI64(), reader.ReadI64());

    public void Write(ref ImsgWriter writer)
    {
        foreach (long v in (ReadOnlySpan<long>)[ClientConnect, ClientDisconnect, EnvelopeEnqueued, EnvelopeDequeued, EnvelopeExpired, EnvelopeRemoved, EnvelopeBounce, DeliveryOk, DeliveryTempFail, DeliveryPermFail, DeliveryLoop])
        {
            writer.WriteI64(v);
        }
    }
}

/// <summary>A trace or profile mask: trace|untrace|profile|unprofile, and the new mask to every role.</summary>
internal readonly record struct CtlFlags(uint Flags) : IImsgLayout<CtlFlags>
{
    public static CtlFlags Read(ref ImsgReader reader) => new(reader.ReadU32());

    public void Write(ref ImsgWriter writer) => writer.WriteU32(Flags);
}
