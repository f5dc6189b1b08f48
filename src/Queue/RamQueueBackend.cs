// The in-memory queue, OpenSMTPD's `smtpd -B queue=ram`: messages and envelopes live in the queue
// process's memory only, for tests and throwaway relays. Nothing survives a restart; the queue
// role says so loudly when it starts with this backend. Envelopes are kept serialized as on disk,
// so what cannot be stored faithfully is refused the same way as by the filesystem queue. A body
// is received into an anonymous memory file (the descriptor handed to the dispatcher) and read
// into memory at commit. Thread-safe: the commit thread commits while the loop receives, loads
// and deletes. Behaviour reference: usr.sbin/smtpd/queue_ram.c.
using Smtpd.Interop;

namespace Smtpd.Queue;

internal sealed class RamQueueBackend : IQueueBackend
{
    // Ids are random; 20 collisions in a row mean something else is wrong (as OpenSMTPD judges).
    private const int IdAttempts = 20;

    private const long MaxMessageSize = int.MaxValue - 64;

    private readonly object _lock = new();
    private readonly Dictionary<uint, RamMessage> _messages = [];
    private readonly Func<long> _clock;

    public RamQueueBackend(QueueOptions? options = null) => _clock = (options ?? QueueOptions.Default).Clock;

    public bool TransformsBodies => false;

    /// <summary>Nothing to set up, nothing left from a previous run.</summary>
    public QueueResult Init() => QueueResult.Ok;

    public QueueResult MessageCreate(out MsgId msgid, out SafeFd? body)
    {
        body = null;
        SafeFd file;
        try
        {
            file = Posix.AnonymousFile("smtpd-queue-ram");
            body = Posix.DupAbove(file, 0);
        }
        catch (PosixException ex)
        {
            msgid = default;
            return QueueResult.TempFail(ex.Errno, ex.Call);
        }

        lock (_lock)
        {
            for (int i = 0; i < IdAttempts; i++)
            {
                msgid = MsgId.NewRandom();
                if (_messages.TryAdd(msgid.Value, new RamMessage { Incoming = file }))
                {
                    return QueueResult.Ok;
                }
            }
        }

        file.Dispose();
        body.Dispose();
        body = null;
        msgid = default;
        return QueueResult.TempFail(Errno.EEXIST, "could not allocate a msgid");
    }

    public QueueResult MessageCommit(MsgId msgid, long bodyLength = -1)
    {
        SafeFd? file;
        lock (_lock)
        {
            if (!_messages.TryGetValue(msgid.Value, out var m) || m.Incoming is null)
            {
                return QueueResult.NotFound("no incoming message " + msgid);
            }

            if (m.Envelopes.Count == 0)
            {
                return QueueResult.Refused("message " + msgid + " has no envelope");
            }

            file = m.Incoming;
        }

        // Read outside the lock: the loop goes on meanwhile, and nothing else touches an incoming
        // message's body while it is being committed.
        QueueResult r = ReadBody(file, bodyLength, out byte[] content);
        if (!r.IsOk)
        {
            return r;
        }

        lock (_lock)
        {
            if (!_messages.TryGetValue(msgid.Value, out var m) || m.Incoming != file)
            {
                return QueueResult.NotFound("no incoming message " + msgid);
            }

            m.Content = content;
            m.Incoming = null;
        }

        file.Dispose();
        return QueueResult.Ok;
    }

    public QueueResult[] MessageCommitBatch(IReadOnlyList<(MsgId Id, long BodyLength)> messages)
    {
        var results = new QueueResult[messages.Count];
        for (int i = 0; i < messages.Count; i++)
        {
            results[i] = MessageCommit(messages[i].Id, messages[i].BodyLength);
        }

        return results;
    }

    public QueueResult MessageDelete(MsgId msgid)
    {
        RamMessage? m;
        lock (_lock)
        {
            _ = _messages.Remove(msgid.Value, out m);
        }

        m?.Incoming?.Dispose();
        return QueueResult.Ok;
    }

    /// <summary>A private copy of the content in a new anonymous file, so concurrent deliveries never share an offset.</summary>
    public QueueResult MessageOpenRead(MsgId msgid, out SafeFd? fd)
    {
        fd = null;
        byte[]? content;
        lock (_lock)
        {
            content = _messages.TryGetValue(msgid.Value, out var m) ? m.Content : null;
        }

        if (content is null)
        {
            return QueueResult.NotFound("no message " + msgid);
        }

        try
        {
            fd = Posix.AnonymousFile("smtpd-queue-ram");
        }
        catch (PosixException ex)
        {
            return QueueResult.TempFail(ex.Errno, ex.Call);
        }

        Errno e = Posix.TryWriteAll(fd, content);
        if (e == Errno.None)
        {
            e = Posix.TrySeek(fd, 0);
        }

        if (e != Errno.None)
        {
            fd.Dispose();
            fd = null;
            return QueueResult.TempFail(e, "write message " + msgid);
        }

        return QueueResult.Ok;
    }

    public QueueResult EnvelopeCreate(MsgId msgid, Envelope envelope)
    {
        long created = _clock();
        var stamped = envelope.Clone();
        stamped.CreationTime = created;
        QueueResult r = Encode(stamped, out byte[] data);
        if (!r.IsOk)
        {
            return r;
        }

        lock (_lock)
        {
            if (msgid.Value == 0 || !_messages.TryGetValue(msgid.Value, out var m))
            {
                return QueueResult.NotFound("no message " + msgid);
            }

            for (int i = 0; i < IdAttempts; i++)
            {
                var evpid = EvpId.NewRandom(msgid);
                if (m.Envelopes.TryAdd(evpid.Value, data))
                {
                    envelope.Id = evpid;
                    envelope.CreationTime = created;
                    return QueueResult.Ok;
                }
            }
        }

        return QueueResult.TempFail(Errno.EEXIST, "could not allocate an evpid");
    }

    public QueueResult EnvelopeUpdate(Envelope envelope)
    {
        QueueResult r = Encode(envelope, out byte[] data);
        lock (_lock)
        {
            // Only a queued envelope is updated, and one deleted meanwhile stays deleted.
            if (!TryQueued(envelope.Id, out var m))
            {
                return QueueResult.NotFound("no envelope " + envelope.Id);
            }

            if (r.IsOk)
            {
                m.Envelopes[envelope.Id.Value] = data;
            }

            return r;
        }
    }

    public QueueResult EnvelopeDelete(EvpId evpid)
    {
        lock (_lock)
        {
            // The message goes with its last queued envelope.
            if (TryQueued(evpid, out var m) && m.Envelopes.Remove(evpid.Value) && m.Envelopes.Count == 0)
            {
                _ = _messages.Remove(evpid.MsgId.Value);
            }
        }

        return QueueResult.Ok;
    }

    public QueueResult EnvelopeLoad(EvpId evpid, out Envelope? envelope)
    {
        envelope = null;
        byte[] data;
        lock (_lock)
        {
            if (!TryQueued(evpid, out var m))
            {
                return QueueResult.NotFound("no envelope " + evpid);
            }

            data = m.Envelopes[evpid.Value];
        }

        if (!EnvelopeFormat.TryLoad(data, out var loaded, out string why))
        {
            return QueueResult.Corrupt(why);
        }

        loaded!.Id = evpid;
        envelope = loaded;
        return QueueResult.Ok;
    }

    public IEnumerable<QueueWalkEntry> EnvelopeWalk()
    {
        List<uint> ids;
        lock (_lock)
        {
            ids = _messages.Where(kv => kv.Value.Content is not null).Select(kv => kv.Key).Order().ToList();
        }

        return ids.SelectMany(id => MessageWalk(new MsgId(id)));
    }

    public IEnumerable<QueueWalkEntry> MessageWalk(MsgId msgid)
    {
        List<ulong> ids;
        lock (_lock)
        {
            ids = _messages.TryGetValue(msgid.Value, out var m) && m.Content is not null ? m.Envelopes.Keys.Order().ToList() : [];
        }

        foreach (ulong id in ids)
        {
            var evpid = new EvpId(id);
            var r = EnvelopeLoad(evpid, out var e);
            if (r.Status != QueueStatus.NotFound)
            {
                yield return new QueueWalkEntry(evpid, r.Status, e, r.Reason);
            }
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var m in _messages.Values)
            {
                m.Incoming?.Dispose();
            }

            _messages.Clear();
        }
    }

    private static QueueResult Encode(Envelope envelope, out byte[] data) =>
        EnvelopeFormat.TryDump(envelope, out data, out string why) ? QueueResult.Ok : QueueResult.Refused("envelope " + envelope.Id + ": " + why);

    /// <summary>The body as written: <paramref name="bodyLength"/> bytes from the start, or all of it (-1).</summary>
    private static QueueResult ReadBody(SafeFd file, long bodyLength, out byte[] content)
    {
        content = [];
        Errno e = Posix.TryStatus(file, out FileStatus st);
        if (e != Errno.None)
        {
            return QueueResult.TempFail(e, "fstat");
        }

        long length = bodyLength >= 0 ? Math.Min(bodyLength, (long)st.Size) : (long)st.Size;
        if (length > MaxMessageSize)
        {
            return QueueResult.Refused("message too large for the ram queue");
        }

        e = Posix.TrySeek(file, 0);
        if (e != Errno.None)
        {
            return QueueResult.TempFail(e, "lseek");
        }

        var buffer = new byte[length];
        int done = 0;
        while (done < buffer.Length)
        {
            e = Posix.TryRead(file, buffer.AsSpan(done), out int n);
            if (e != Errno.None)
            {
                return QueueResult.TempFail(e, "read");
            }

            if (n == 0)
            {
                break;
            }

            done += n;
        }

        content = done == buffer.Length ? buffer : buffer[..done];
        return QueueResult.Ok;
    }

    /// <summary>The committed message holding <paramref name="evpid"/>, when it has that envelope. Called under the lock.</summary>
    private bool TryQueued(EvpId evpid, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out RamMessage? message) =>
        _messages.TryGetValue(evpid.MsgId.Value, out message) && message.Content is not null && message.Envelopes.ContainsKey(evpid.Value);

    private sealed class RamMessage
    {
        /// <summary>The body being received; null once committed.</summary>
        public SafeFd? Incoming { get; set; }

        /// <summary>The committed body; null while incoming.</summary>
        public byte[]? Content { get; set; }

        /// <summary>Serialized envelopes by envelope id.</summary>
        public Dictionary<ulong, byte[]> Envelopes { get; } = [];
    }
}
