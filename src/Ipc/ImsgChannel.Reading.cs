// The read side of ImsgChannel, run by the poller thread when the socket is readable: drain it
// with non-blocking recvmsg, cut whole frames, hand them to the inbound queue. When that queue is
// full the channel stops asking for input until the consumer makes room: the socket then fills
// and the sending process queues (see WhenWritableAsync there).
using Smtpd.Interop;

namespace Smtpd.Ipc;

internal sealed partial class ImsgChannel
{
    private readonly object _readLock = new();
    private readonly List<SafeFd> _received = [];
    // Descriptors received and not yet matched to their frame; null stands for one the kernel
    // could not install here (out of descriptors): its frame is delivered without it.
    private readonly Queue<SafeFd?> _pendingFds = new();
    private readonly int _maxFrame;
    private byte[] _buf;
    private int _start;
    private int _end;
    private bool _readDone;
    private bool _stalled;

    /// <summary>Descriptors the kernel could not hand over since the channel started (out of descriptors).</summary>
    public int LostDescriptors { get; private set; }

    private void OnReadable()
    {
        lock (_readLock)
        {
            if (_readDone || _stalled || _socket.IsClosed)
            {
                return;
            }

            try
            {
                ReadAvailable();
            }
            catch (ImsgFormatException e)
            {
                EndOfInput(e);
            }
            catch (PosixException e)
            {
                EndOfInput(new ImsgFormatException(e.Message, e));
            }
        }
    }

    // Under _readLock. Frames already buffered first, then whatever the socket holds.
    private void ReadAvailable()
    {
        while (true)
        {
            if (!DeliverBuffered())
            {
                return;
            }

            if (_end == _buf.Length)
            {
                Compact(0);
            }

            int n;
            bool truncated = false;
            try
            {
                n = Posix.RecvMsg(_socket, _buf.AsSpan(_end), _received, out truncated, dontWait: true);
            }
            catch (PosixException e) when (e.Errno is Errno.ECONNRESET or Errno.EBADF or Errno.ENOTCONN)
            {
                n = 0;
            }

            int received = _received.Count;
            foreach (var fd in _received)
            {
                _pendingFds.Enqueue(fd);
            }

            _received.Clear();
            if (truncated)
            {
                NoteLostDescriptor(received);
            }
            if (n < 0)
            {
                return;
            }

            if (n == 0)
            {
                EndOfInput(null);
                return;
            }

            _end += n;
        }
    }

    /// <summary>Hands over every whole buffered frame; false when the inbound queue is full (stalled).</summary>
    private bool DeliverBuffered()
    {
        while (true)
        {
            var span = _buf.AsSpan(_start, _end - _start);
            var status = ImsgFramer.TryRead(span, out var header);
            if (status == FrameStatus.Malformed)
            {
                throw new ImsgFormatException($"malformed frame from {PeerName} (type {(uint)header.Type}, length {header.Length})");
            }

            if (span.Length >= ImsgHeader.Size && header.Length > _maxFrame)
            {
                throw new ImsgFormatException($"frame of {header.Length} bytes from {PeerName} is larger than the {_maxFrame} accepted");
            }

            if (status == FrameStatus.Incomplete)
            {
                if (span.Length >= ImsgHeader.Size && header.Length > _buf.Length - _start)
                {
                    Compact(header.Length);
                }

                if (_start == _end)
                {
                    _start = _end = 0;
                }

                return true;
            }

            if (header.HasFd && _pendingFds.Count == 0)
            {
                throw new ImsgFormatException($"{header.Type} from {PeerName} announced a descriptor that did not arrive");
            }

            // Check for room before taking the descriptor, so a stalled frame is redone whole.
            var writer = _inbound.Writer;
            byte[] payload = span.Slice(ImsgHeader.Size, header.Length - ImsgHeader.Size).ToArray();
            var fd = header.HasFd ? _pendingFds.Peek() : null;
            var msg = new Imsg(header.Type, header.PeerId, header.Pid, payload, fd) { FdLost = header.HasFd && fd is null };
            if (!writer.TryWrite(msg))
            {
                Stall();
                return false;
            }

            if (header.HasFd)
            {
                _pendingFds.Dequeue();
            }

            _start += header.Length;
        }
    }

    /// <summary>
    /// The kernel dropped descriptors of this read (MSG_CTRUNC). Every frame that carries one is
    /// sent alone with exactly one, and one read returns at most one such send: so when nothing
    /// arrived, the one descriptor is lost because this process is out of descriptors, a
    /// temporary condition that fails the one request it belonged to (its handler sees no
    /// descriptor, as after a failed open). Descriptors beyond what one read takes are a peer
    /// that broke the protocol.
    /// </summary>
    private void NoteLostDescriptor(int received)
    {
        if (received > 0)
        {
            throw new ImsgFormatException($"too many descriptors from {PeerName} in one message");
        }

        LostDescriptors++;
        _pendingFds.Enqueue(null);
        Runtime.Log.Warn($"warn: imsg: a descriptor from {PeerName} was dropped: out of descriptors; that request fails temporarily");
    }

    // The consumer is behind: stop reading until it has room, then go on where we stopped.
    private void Stall()
    {
        _stalled = true;
        SetWantRead(false);
        _ = ResumeAsync();

        async Task ResumeAsync()
        {
            bool open = await _inbound.Writer.WaitToWriteAsync().ConfigureAwait(false);
            lock (_readLock)
            {
                _stalled = false;
                if (!open || _readDone || _socket.IsClosed)
                {
                    return;
                }
            }

            SetWantRead(true);
            OnReadable();
        }
    }

    private void Compact(int need)
    {
        int used = _end - _start;
        if (need > _buf.Length || (_start == 0 && used == _buf.Length))
        {
            var bigger = new byte[Math.Max(need, _buf.Length * 2)];
            _buf.AsSpan(_start, used).CopyTo(bigger);
            _buf = bigger;
        }
        else
        {
            _buf.AsSpan(_start, used).CopyTo(_buf);
        }

        _start = 0;
        _end = used;
    }

    // Under _readLock: end of stream or a broken peer. No more input; the poller lets go.
    private void EndOfInput(ImsgFormatException? failure)
    {
        _readDone = true;
        while (_pendingFds.TryDequeue(out var fd))
        {
            fd?.Dispose();
        }

        Unregister();
        _inbound.Writer.TryComplete(failure);

        // The peer is gone (processes never half-close these sockets): nothing queued for it can
        // be written any more, and senders waiting for room must not wait forever.
        lock (_outLock)
        {
            _closed = true;
            DropQueued();
            WakeWriters();
        }
    }
}
