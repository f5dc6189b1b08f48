// One end of a socketpair to another process: framed messages out and in, descriptors passed
// with SCM_RIGHTS. A reader thread blocks in recvmsg and hands whole messages to a bounded
// queue the role's loop drains; a writer thread sends queued frames, coalescing small ones.
// Backpressure: the inbound queue is bounded (a slow consumer stops the reader, the socket
// fills, the sender waits), and senders await WhenWritableAsync once the outbound queue holds
// more than HighWater bytes. Behaviour reference: usr.sbin/smtpd/mproc.c.
using System.Buffers;
using System.Threading.Channels;
using Smtpd.Interop;

namespace Smtpd.Ipc;

internal sealed partial class ImsgChannel : IDisposable
{
    public const long HighWater = 8L * 1024 * 1024;
    public const long LowWater = 2L * 1024 * 1024;
    private const int BatchSize = 64 * 1024;

    [ThreadStatic]
    private static ArrayBufferWriter<byte>? t_builder;

    private readonly SafeFd _socket;
    private readonly Channel<Imsg> _inbound;
    private readonly object _outLock = new();
    private readonly Queue<OutFrame> _outQueue = new();
    private long _queuedBytes;
    private bool _closed;
    private TaskCompletionSource? _drained;
    private Thread? _reader;
    private Thread? _writer;

    public ImsgChannel(SafeFd socket, string peerName, int inboundCapacity = 4096)
    {
        _socket = socket;
        PeerName = peerName;
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

    public void Start()
    {
        _reader = new Thread(ReadLoop) { IsBackground = true, Name = "imsg-in " + PeerName };
        _writer = new Thread(WriteLoop) { IsBackground = true, Name = "imsg-out " + PeerName };
        _reader.Start();
        _writer.Start();
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

    /// <summary>Stops both threads: the reader sees end of stream, queued output is dropped.</summary>
    public void Close()
    {
        lock (_outLock)
        {
            _closed = true;
            Monitor.PulseAll(_outLock);
        }

        Posix.Shutdown(_socket);
    }

    /// <summary>Waits (bounded) until everything queued has been written; used before exiting.</summary>
    public bool Flush(TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
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
        _socket.Dispose();
    }

    private static ArrayBufferWriter<byte> Builder()
    {
        var b = t_builder ??= new ArrayBufferWriter<byte>(1024);
        b.ResetWrittenCount();
        return b;
    }

    private void Enqueue(ImsgType type, ReadOnlySpan<byte> payload, uint peerId, uint pid, SafeFd? fd)
    {
        int length = ImsgHeader.Size + payload.Length;
        if (length > ImsgHeader.MaxFrame)
        {
            throw new ImsgFormatException($"{type}: payload of {payload.Length} bytes exceeds the frame limit");
        }

        byte[] frame = new byte[length];
        new ImsgHeader(type, length, fd is not null, peerId, pid).Write(frame);
        payload.CopyTo(frame.AsSpan(ImsgHeader.Size));
        lock (_outLock)
        {
            if (_closed)
            {
                fd?.Dispose();
                return;
            }

            _outQueue.Enqueue(new OutFrame(frame, fd));
            _queuedBytes += length;
            Monitor.Pulse(_outLock);
        }
    }

    private readonly record struct OutFrame(byte[] Bytes, SafeFd? Fd);
}
