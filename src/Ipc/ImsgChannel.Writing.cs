// Sending: frames are built once, written at once with non-blocking sendmsg when the socket
// takes them, else queued and written by the poller when there is room; writers over the
// high-water mark wait until the queue drains to the low-water mark.
using System.Buffers;
using Smtpd.Interop;

namespace Smtpd.Ipc;

internal sealed partial class ImsgChannel
{
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

            // The loop that runs the poller sends at the end of its round, before it looks at
            // the sockets again: what one round posts to a peer (a batch of commit replies, a
            // session's requests) goes out in one sendmsg and wakes the peer once.
            if (_corked)
            {
                return;
            }

            if (_poller is { } poller && poller.IsDriverThread)
            {
                _corked = true;
                poller.Cork(this);
                return;
            }

            // Nothing was waiting: write now, on this thread. Otherwise the poller is on it.
            // (Interest in writability changes only under _outLock, so it matches the queue.)
            if (_outQueue.Count == 1 && !WriteQueued())
            {
                SetWantWrite(true);
            }
        }
    }

    /// <summary>Writes what the loop queued during its round (see Enqueue); the poller calls it before it waits.</summary>
    internal void Uncork()
    {
        lock (_outLock)
        {
            if (!_corked)
            {
                return;
            }

            _corked = false;
            if (!_wantWrite && _outQueue.Count > 0 && !WriteQueued())
            {
                SetWantWrite(true);
            }
        }
    }

    // The poller says the socket has room (or failed): write what waits.
    private void OnWritable()
    {
        lock (_outLock)
        {
            if (_outQueue.Count == 0 || WriteQueued())
            {
                SetWantWrite(false);
            }
        }
    }

    /// <summary>Writes queued frames until the queue is empty (true) or the socket is full (false). Under _outLock.</summary>
    private bool WriteQueued()
    {
        try
        {
            while (_outQueue.Count > 0)
            {
                var first = _outQueue.Peek();
                if (first.Fd is not null || _outQueue.Count == 1 || _headSent > 0 || first.Bytes.Length > BatchSize)
                {
                    // One frame (a descriptor rides with the first byte of its own sendmsg).
                    int sent = Posix.SendMsg(_socket, first.Bytes.AsSpan(_headSent), first.Fd?.Fd ?? -1, dontWait: true);
                    if (sent == 0)
                    {
                        return false;
                    }

                    first.Fd?.Dispose();
                    _outQueue.Dequeue();
                    _queuedBytes -= sent;
                    if (_headSent + sent < first.Bytes.Length)
                    {
                        // Partly written: the rest goes first next time, without the descriptor.
                        RequeueHead(new OutFrame(first.Bytes, null), _headSent + sent);
                        return false;
                    }

                    _headSent = 0;
                    continue;
                }

                // Several small frames without descriptors: one sendmsg.
                var batch = _batch ??= new byte[BatchSize];
                int length = 0;
                foreach (var f in _outQueue)
                {
                    if (f.Fd is not null || length + f.Bytes.Length > batch.Length)
                    {
                        break;
                    }

                    f.Bytes.CopyTo(batch, length);
                    length += f.Bytes.Length;
                }

                int written = Posix.SendMsg(_socket, batch.AsSpan(0, length), -1, dontWait: true);
                if (written == 0)
                {
                    return false;
                }

                _queuedBytes -= written;
                int left = written;
                while (left > 0)
                {
                    var f = _outQueue.Dequeue();
                    if (left < f.Bytes.Length)
                    {
                        RequeueHead(f, left);
                        return false;
                    }

                    left -= f.Bytes.Length;
                }
            }

            return true;
        }
        catch (PosixException)
        {
            // The peer is gone; the read side reports it as end of stream.
            _closed = true;
            DropQueued();
            return true;
        }
        finally
        {
            WakeWriters();
        }
    }

    // Puts a partly written frame back at the head of the queue, <paramref name="sent"/> bytes in.
    private void RequeueHead(OutFrame frame, int sent)
    {
        var rest = _outQueue.ToArray();
        _outQueue.Clear();
        _outQueue.Enqueue(frame);
        foreach (var f in rest)
        {
            _outQueue.Enqueue(f);
        }

        _headSent = sent;
    }

    // Under _outLock: release SendAsync callers below the low-water mark, and Flush waiters.
    private void WakeWriters()
    {
        if (_drained is not null && (_queuedBytes <= LowWater || _closed))
        {
            _drained.TrySetResult();
            _drained = null;
        }

        Monitor.PulseAll(_outLock);
    }

    private void DropQueued()
    {
        while (_outQueue.TryDequeue(out var f))
        {
            f.Fd?.Dispose();
        }

        _queuedBytes = 0;
        _headSent = 0;
    }

    private readonly record struct OutFrame(byte[] Bytes, SafeFd? Fd);
}
