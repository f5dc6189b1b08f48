// The two blocking loops behind ImsgChannel: recvmsg → frames → inbound queue, and
// outbound queue → sendmsg.
using Smtpd.Interop;

namespace Smtpd.Ipc;

internal sealed partial class ImsgChannel
{
    private void ReadLoop()
    {
        byte[] buf = new byte[256 * 1024];
        int start = 0;
        int end = 0;
        var received = new List<SafeFd>();
        var pendingFds = new Queue<SafeFd>();
        Exception? failure = null;
        try
        {
            while (true)
            {
                if (end == buf.Length)
                {
                    Compact(ref buf, ref start, ref end, 0);
                }

                int n;
                try
                {
                    n = Posix.RecvMsg(_socket, buf.AsSpan(end), received);
                }
                catch (PosixException e) when (e.Errno is Errno.ECONNRESET or Errno.EBADF or Errno.ENOTCONN)
                {
                    n = 0;
                }

                foreach (var fd in received)
                {
                    pendingFds.Enqueue(fd);
                }

                received.Clear();
                if (n == 0)
                {
                    return;
                }

                end += n;
                while (true)
                {
                    var span = buf.AsSpan(start, end - start);
                    var status = ImsgFramer.TryRead(span, out var header);
                    if (status == FrameStatus.Malformed)
                    {
                        throw new ImsgFormatException($"malformed frame from {PeerName} (type {(uint)header.Type}, length {header.Length})");
                    }

                    if (status == FrameStatus.Incomplete)
                    {
                        if (span.Length >= ImsgHeader.Size && header.Length > buf.Length - start)
                        {
                            Compact(ref buf, ref start, ref end, header.Length);
                        }

                        break;
                    }

                    SafeFd? fd = null;
                    if (header.HasFd && !pendingFds.TryDequeue(out fd))
                    {
                        throw new ImsgFormatException($"{header.Type} from {PeerName} announced a descriptor that did not arrive");
                    }

                    byte[] payload = span.Slice(ImsgHeader.Size, header.Length - ImsgHeader.Size).ToArray();
                    Deliver(new Imsg(header.Type, header.PeerId, header.Pid, payload, fd));
                    start += header.Length;
                }

                if (start == end)
                {
                    start = end = 0;
                }
            }
        }
        catch (ImsgFormatException e)
        {
            failure = e;
        }
        catch (PosixException e)
        {
            failure = new ImsgFormatException(e.Message, e);
        }
        finally
        {
            foreach (var fd in pendingFds)
            {
                fd.Dispose();
            }

            _inbound.Writer.TryComplete(failure);
        }
    }

    private static void Compact(ref byte[] buf, ref int start, ref int end, int need)
    {
        int used = end - start;
        if (need > buf.Length || (start == 0 && used == buf.Length))
        {
            var bigger = new byte[Math.Max(need, buf.Length * 2)];
            buf.AsSpan(start, used).CopyTo(bigger);
            buf = bigger;
        }
        else
        {
            buf.AsSpan(start, used).CopyTo(buf);
        }

        start = 0;
        end = used;
    }

    private void Deliver(Imsg msg)
    {
        var writer = _inbound.Writer;
        while (!writer.TryWrite(msg))
        {
            // The loop is behind: wait here, which stops reading and lets the socket fill.
            if (!writer.WaitToWriteAsync().AsTask().GetAwaiter().GetResult())
            {
                msg.Dispose();
                return;
            }
        }
    }

    private void WriteLoop()
    {
        byte[] batch = new byte[BatchSize];
        while (true)
        {
            int length = 0;
            OutFrame single = default;
            lock (_outLock)
            {
                while (_outQueue.Count == 0 && !_closed)
                {
                    Monitor.Wait(_outLock);
                }

                if (_closed)
                {
                    DropQueued();
                    return;
                }

                // Frames with a descriptor, or too big for the batch, go alone; small ones coalesce.
                var first = _outQueue.Peek();
                if (first.Fd is not null || first.Bytes.Length > batch.Length)
                {
                    single = _outQueue.Dequeue();
                }
                else
                {
                    while (_outQueue.Count > 0)
                    {
                        var f = _outQueue.Peek();
                        if (f.Fd is not null || length + f.Bytes.Length > batch.Length)
                        {
                            break;
                        }

                        f.Bytes.CopyTo(batch, length);
                        length += f.Bytes.Length;
                        _outQueue.Dequeue();
                    }
                }
            }

            bool ok = single.Bytes is not null
                ? WriteAll(single.Bytes, single.Fd)
                : WriteAll(batch.AsSpan(0, length), null);
            single.Fd?.Dispose();
            int sent = single.Bytes?.Length ?? length;

            TaskCompletionSource? wake = null;
            lock (_outLock)
            {
                _queuedBytes -= sent;
                if (!ok)
                {
                    _closed = true;
                    DropQueued();
                }

                if (_drained is not null && (_queuedBytes <= LowWater || _closed))
                {
                    wake = _drained;
                    _drained = null;
                }

                Monitor.PulseAll(_outLock);
            }

            wake?.TrySetResult();
            if (!ok)
            {
                return;
            }
        }
    }

    private bool WriteAll(ReadOnlySpan<byte> data, SafeFd? fd)
    {
        try
        {
            int fdNum = fd?.Fd ?? -1;
            while (data.Length > 0)
            {
                int n = Posix.SendMsg(_socket, data, fdNum);
                fdNum = -1;
                data = data[n..];
            }

            return true;
        }
        catch (PosixException)
        {
            // The peer is gone; the reader reports it as end of stream.
            return false;
        }
    }

    private void DropQueued()
    {
        while (_outQueue.TryDequeue(out var f))
        {
            f.Fd?.Dispose();
            _queuedBytes -= f.Bytes.Length;
        }
    }
}
