// What the queue remembers between calls, as OpenSMTPD's queue does: the envelopes it wrote most
// recently (queue_backend.c's evpcache, 1024 entries), so a delivery right after the commit does
// not read back the file just written; and how many envelopes each message it committed still
// has (queue_fs.c's evpcount), so removing the last one needs no directory listing. A message
// committed by an earlier run has no count and takes the listing path; nothing here is ever
// trusted beyond what this process itself wrote.
// Behaviour reference: usr.sbin/smtpd/queue_backend.c (queue_envelope_cache_*), queue_fs.c.
namespace Smtpd.Queue;

internal sealed partial class FsQueueBackend
{
    private const int EnvelopeCacheSize = 1024;

    // Commits run on the commit thread, everything else on the loop: one lock for the lot.
    private readonly object _memoryLock = new();
    private readonly Dictionary<uint, List<Envelope>> _incomingEnvelopes = [];
    private readonly Dictionary<uint, int> _envelopeCounts = [];
    private readonly Dictionary<ulong, LinkedListNode<Envelope>> _cache = [];
    private readonly LinkedList<Envelope> _cacheOrder = new();

    /// <summary>Cache hits so far (tests check that the cache is really used).</summary>
    public long EnvelopeCacheHits { get; private set; }

    private void RememberIncoming(Envelope envelope)
    {
        lock (_memoryLock)
        {
            uint msgid = envelope.Id.MsgId.Value;
            if (!_incomingEnvelopes.TryGetValue(msgid, out var list))
            {
                _incomingEnvelopes[msgid] = list = [];
            }

            list.Add(envelope.Clone());
        }
    }

    /// <summary>Envelopes created for an incoming message in this run, or -1 when unknown.</summary>
    private int IncomingCount(MsgId msgid)
    {
        lock (_memoryLock)
        {
            return _incomingEnvelopes.TryGetValue(msgid.Value, out var list) ? list.Count : -1;
        }
    }

    /// <summary>The message is in queue/ now: its envelopes are counted and cached.</summary>
    private void RememberCommitted(MsgId msgid)
    {
        lock (_memoryLock)
        {
            if (_incomingEnvelopes.Remove(msgid.Value, out var list))
            {
                _envelopeCounts[msgid.Value] = list.Count;
                foreach (var e in list)
                {
                    CachePut(e);
                }
            }
        }
    }

    private void RememberQueued(Envelope envelope)
    {
        lock (_memoryLock)
        {
            uint msgid = envelope.Id.MsgId.Value;
            if (_envelopeCounts.TryGetValue(msgid, out int n))
            {
                _envelopeCounts[msgid] = n + 1;
            }

            CachePut(envelope.Clone());
        }
    }

    private void RememberUpdated(Envelope envelope)
    {
        lock (_memoryLock)
        {
            CachePut(envelope.Clone());
        }
    }

    /// <summary>One envelope of the message is gone. Returns the envelopes left, or -1 when unknown.</summary>
    private int ForgetEnvelope(EvpId evpid)
    {
        lock (_memoryLock)
        {
            CacheRemove(evpid.Value);
            uint msgid = evpid.MsgId.Value;
            if (!_envelopeCounts.TryGetValue(msgid, out int n))
            {
                return -1;
            }

            if (--n <= 0)
            {
                _envelopeCounts.Remove(msgid);
                return 0;
            }

            _envelopeCounts[msgid] = n;
            return n;
        }
    }

    private void ForgetMessage(MsgId msgid)
    {
        lock (_memoryLock)
        {
            _incomingEnvelopes.Remove(msgid.Value);
            _envelopeCounts.Remove(msgid.Value);
            if (_cache.Count == 0)
            {
                return;
            }

            foreach (var e in _cacheOrder.Where(e => e.Id.MsgId == msgid).ToList())
            {
                CacheRemove(e.Id.Value);
            }
        }
    }

    private bool TryCached(EvpId evpid, out Envelope? envelope)
    {
        lock (_memoryLock)
        {
            if (_cache.TryGetValue(evpid.Value, out var node))
            {
                _cacheOrder.Remove(node);
                _cacheOrder.AddFirst(node);
                EnvelopeCacheHits++;
                envelope = node.Value.Clone();
                return true;
            }
        }

        envelope = null;
        return false;
    }

    private void CachePut(Envelope envelope)
    {
        if (_cache.Remove(envelope.Id.Value, out var old))
        {
            _cacheOrder.Remove(old);
        }

        while (_cache.Count >= EnvelopeCacheSize && _cacheOrder.Last is { } last)
        {
            _cache.Remove(last.Value.Id.Value);
            _cacheOrder.RemoveLast();
        }

        _cache[envelope.Id.Value] = _cacheOrder.AddFirst(envelope);
    }

    private void CacheRemove(ulong evpid)
    {
        if (_cache.Remove(evpid, out var node))
        {
            _cacheOrder.Remove(node);
        }
    }
}
