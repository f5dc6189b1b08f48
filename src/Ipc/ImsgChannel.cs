// One end of a socketpair to another process: framed messages out and in, descriptors passed
// with SCM_RIGHTS. Sending happens on the caller's thread with non-blocking sendmsg; what the
// socket cannot take yet is queued and written by the process's ImsgPoller when there is room.
// The poller also reads: whole messages go to a bounded queue the role's loop drains.
// Backpressure: the inbound queue is bounded (a slow consumer stops reading, the socket fills,
// the sender queues), and senders await WhenWritableAsync once the outbound queue holds more
// than HighWater bytes. Behaviour reference: usr.sbin/smtpd/mproc.c.
using System.Buffers;
using System.Threading.Channels;
using Smtpd.Interop;

namespace Smtpd.Ipc;

internal sealed partial class ImsgChannel : IDisposable, IPollTarget
{
    public const long HighWater = 8L * 1024 * 1024;
    public const long LowWater = 2L * 1024 * 1024;
    private const int BatchSize = 64 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_builder;

    private readonly SafeFd _socket;
    private readonly Channel<Imsg> _inbound;

    // Output state, under _outLock: frames not yet (fully) written; the first may be partly sent.
    private readonly object _outLock = new();
    private readonly Queue<OutFrame> _outQueue = new();
    private int _headSent;
    private long _queuedBytes;
    private bool _closed;
    private TaskCompletionSource? _drained;
    private byte[]? _batch;

    // Poller registration, under _pollLock: what we currently ask epoll for.
    private readonly object _pollLock = new();
    private ImsgPoller? _poller;
    private ulong _tag;
    private bool _wantRead = true;
    private bool _wantWrite;
    private bool _unregistered;
    private bool _inEpoll;

    // Frames queued by the loop that drives the poller wait for the end of its round (see Enqueue).
    private bool _corked;

    /// <param name="socket">Our end of the socketpair (or a client's connection).</param>
    /// <param name="peerName">Who is at the other end, for log lines.</param>
    /// <param name="inboundCapacity">Whole messages held for the consumer before reading stops.</param>
    /// <param name="maxFrame">The largest frame accepted from the peer: a larger one is a broken
    /// protocol, noticed from its header before the buffer grows for it (an untrusted client).</param>
    /// <param name="initialBuffer">The read buffer's starting size; it grows to the largest frame seen.</param>
    public ImsgChannel(SafeFd socket, string peerName, int inboundCapacity = 4096, int maxFrame = ImsgHeader.MaxFrame, int initialBuffer = 256 * 1024)
    {
        _socket = socket;
        PeerName = peerName;
        _maxFrame = Math.Min(maxFrame, ImsgHeader.MaxFrame);
        _buf = new byte[Math.Max(initialBuffer, ImsgHeader.Size)];
        _inbound = Channel.CreateBounded<Imsg>(new BoundedChannelOptions(inboundCapacity)
        {
            SingleReader = true,
            SingleWriter = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
    }

    /// <summary>Who is at the other end, for log lines ("queue", "parent").</summary>
    public string PeerName { get; }

    /// <summary>Messages as they arrive; completes at end of stream, or with ImsgFormatException when the peer broke the protocol.</summary>
    public ChannelReader<Imsg> Inbound => _inbound.Reader;

    /// <summary>
    /// The inbound messages, each one resuming the caller on its own context (the role's loop).
    /// ChannelReader.ReadAllAsync awaits with ConfigureAwait(false), so every message it gave
    /// went poller thread, then a thread-pool thread, then the loop: one more wake-up per
    /// message in every process.
    /// </summary>
    public async IAsyncEnumerable<Imsg> ReadAllHereAsync()
    {
        var reader = _inbound.Reader;
        while (await reader.WaitToReadAsync())
        {
            while (reader.TryRead(out var msg))
            {
                yield return msg;
            }
        }
    }

    /// <summary>Bytes accepted by Post but not yet written to the socket.</summary>
    public long QueuedBytes
    {
        get
        {
            lock (_outLock)
            {
                return _queuedBytes;
            }
        }
    }

    /// <summary>Starts receiving (and writing what was queued before), through the process's poller.</summary>
    public void Start() => Start(ImsgPoller.Shared);

    /// <summary>Starts receiving (and writing what was queued before), through <paramref name="poller"/>.</summary>
    internal void Start(ImsgPoller poller)
    {
        lock (_outLock)
        {
            lock (_pollLock)
            {
                _wantWrite = _outQueue.Count > 0;
                _poller = poller;
                _tag = poller.NewTag(this);
                UpdateRegistration();
            }
        }
    }

    /// <summary>Queues a typed message. The descriptor, if any, is closed here once sent.</summary>
    public void Post<T>(in T payload, uint peerId = 0, uint pid = 0, SafeFd? fd = null)
        where T : IImsgPayload<T>
    {
        var builder = Builder();
        var writer = new ImsgWriter(builder);
        payload.Write(ref writer);
        Enqueue(T.Type, builder.WrittenSpan, peerId, pid, fd);
    }

    /// <summary>Queues a message of <paramref name="type"/> with a layout several types share.</summary>
    public void PostAs<T>(ImsgType type, in T payload, uint peerId = 0, uint pid = 0, SafeFd? fd = null)
        where T : IImsgLayout<T>
    {
        var builder = Builder();
        var writer = new ImsgWriter(builder);
        payload.Write(ref writer);
        Enqueue(type, builder.WrittenSpan, peerId, pid, fd);
    }

    /// <summary>Queues a message whose meaning is all in its header.</summary>
    public void PostEmpty(ImsgType type, uint peerId = 0, uint pid = 0, SafeFd? fd = null) =>
        Enqueue(type, ReadOnlySpan<byte>.Empty, peerId, pid, fd);

    /// <summary>Queues a message, then waits while the outbound queue is over its high-water mark.</summary>
    public ValueTask SendAsync<T>(T payload, uint peerId = 0, uint pid = 0, SafeFd? fd = null)
        where T : IImsgPayload<T>
    {
        Post(payload, peerId, pid, fd);
        return WhenWritableAsync();
    }

    /// <summary>Completes at once unless more than HighWater bytes wait; then when they drain to LowWater.</summary>
    public ValueTask WhenWritableAsync()
    {
        lock (_outLock)
        {
            if (_queuedBytes <= HighWater || _closed)
            {
                return default;
            }

            _drained ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return new ValueTask(_drained.Task);
        }
    }

    /// <summary>
    /// Ends the channel: the inbound side sees end of stream, queued output is dropped (output
    /// the loop's round held back is written first, as far as the socket takes it at once: it
    /// would have been written when it was posted, before corking).
    /// </summary>
    public void Close()
    {
        lock (_outLock)
        {
            if (_corked && !_closed)
            {
                _corked = false;
                _ = WriteQueued();
            }

            _closed = true;
            DropQueued();
            Monitor.PulseAll(_outLock);
        }

        Posix.Shutdown(_socket);
    }

    /// <summary>Waits (bounded) until everything queued has been written; used before exiting.</summary>
    public bool Flush(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        Uncork();
        lock (_outLock)
        {
            while (_queuedBytes > 0 && !_closed)
            {
                var left = deadline - DateTime.UtcNow;
                if (left <= TimeSpan.Zero)
                {
                    return false;
                }

                Monitor.Wait(_outLock, left);
            }

            return _queuedBytes == 0;
        }
    }

    public void Dispose()
    {
        Close();

        // Off the poller first, under the read lock, so that no read is using the descriptor
        // when it is closed (and its number perhaps reused).
        lock (_readLock)
        {
            Unregister();
            _socket.Dispose();
        }

        _inbound.Writer.TryComplete();
    }

    /// <summary>Called with the epoll events for this channel by the thread that runs the poller.</summary>
    public void OnReady(uint events)
    {
        if ((events & (Libc.EPOLLOUT | Libc.EPOLLERR | Libc.EPOLLHUP)) != 0)
        {
            OnWritable();
        }

        if ((events & (Libc.EPOLLIN | Libc.EPOLLERR | Libc.EPOLLHUP)) != 0)
        {
            OnReadable();
        }
    }
}
