// A synchronous imsg endpoint for a program that does one thing at a time (the delivery helper):
// blocking recvmsg and sendmsg on the calling thread. ImsgChannel would add its poller thread and
// a thread-pool hop to every message, which in a helper costs more than the work itself.
using System.Buffers;
using Smtpd.Interop;

namespace Smtpd.Ipc;

internal sealed class ImsgBlockingPeer : IDisposable
{
    private readonly SafeFd _socket;
    private readonly List<SafeFd> _received = [];
    private readonly Queue<SafeFd> _pendingFds = new();
    private readonly ArrayBufferWriter<byte> _out = new(1024);
    private byte[] _buf = new byte[16 * 1024];
    private int _start;
    private int _end;

    public ImsgBlockingPeer(SafeFd socket, string peerName)
    {
        _socket = socket;
        PeerName = peerName;
    }

    public string PeerName { get; }

    /// <summary>The next message, or null at end of stream. Throws ImsgFormatException for a broken peer.</summary>
    public Imsg? Receive()
    {
        while (true)
        {
            var span = _buf.AsSpan(_start, _end - _start);
            var status = ImsgFramer.TryRead(span, out var header);
            if (status == FrameStatus.Malformed)
            {
                throw new ImsgFormatException($"malformed frame from {PeerName} (type {(uint)header.Type}, length {header.Length})");
            }

            if (status == FrameStatus.Complete)
            {
                SafeFd? fd = null;
                if (header.HasFd && !_pendingFds.TryDequeue(out fd))
                {
                    throw new ImsgFormatException($"{header.Type} from {PeerName} announced a descriptor that did not arrive");
                }

                byte[] payload = span.Slice(ImsgHeader.Size, header.Length - ImsgHeader.Size).ToArray();
                _start += header.Length;
                return new Imsg(header.Type, header.PeerId, header.Pid, payload, fd);
            }

            // Incomplete: make room for the whole frame, then read more.
            int used = _end - _start;
            int need = span.Length >= ImsgHeader.Size ? Math.Max(header.Length, used + 1) : used + ImsgHeader.Size;
            if (need > _buf.Length)
            {
                var bigger = new byte[Math.Max(need, _buf.Length * 2)];
                span.CopyTo(bigger);
                _buf = bigger;
                (_start, _end) = (0, used);
            }
            else if (_start > 0)
            {
                span.CopyTo(_buf);
                (_start, _end) = (0, used);
            }

            int n;
            try
            {
                n = Posix.RecvMsg(_socket, _buf.AsSpan(_end), _received);
            }
            catch (PosixException e) when (e.Errno is Errno.ECONNRESET or Errno.ENOTCONN)
            {
                n = 0;
            }

            foreach (var fd in _received)
            {
                _pendingFds.Enqueue(fd);
            }

            _received.Clear();
            if (n == 0)
            {
                return null;
            }

            _end += n;
        }
    }

    /// <summary>Sends a message of <paramref name="type"/> whole, blocking; false when the peer is gone.</summary>
    public bool SendAs<T>(ImsgType type, in T payload)
        where T : IImsgLayout<T>
    {
        _out.ResetWrittenCount();
        _out.GetSpan(ImsgHeader.Size)[..ImsgHeader.Size].Clear();
        _out.Advance(ImsgHeader.Size);
        var writer = new ImsgWriter(_out);
        payload.Write(ref writer);
        byte[] frame = _out.WrittenSpan.ToArray();
        new ImsgHeader(type, frame.Length, false, 0, 0).Write(frame);
        try
        {
            ReadOnlySpan<byte> left = frame;
            while (left.Length > 0)
            {
                left = left[Posix.SendMsg(_socket, left)..];
            }

            return true;
        }
        catch (PosixException)
        {
            return false;
        }
    }

    public void Dispose()
    {
        _socket.Dispose();
        while (_pendingFds.TryDequeue(out var fd))
        {
            fd.Dispose();
        }
    }
}
