// A client connection driven by the dispatcher's event loop. Reads and writes are non-blocking
// recv and send on the loop thread; when the socket has nothing to read (or no room), the
// operation waits for the loop's own epoll set, which reports the socket like the IPC sockets
// (edge-triggered; writability only while a write waits, else every ACK of a reply would wake
// the loop). A NetworkStream went through .NET's socket engine
// instead: its epoll thread, then a thread-pool thread that ran the recv, then the loop, so three
// threads woke for every line a client sent. Only for the thread that drives the poller: every
// call and every event runs there, so there is no lock.
using System.Net.Sockets;
using Smtpd.Interop;
using Smtpd.Ipc;

namespace Smtpd.Dispatcher;

internal sealed class LoopSocketStream : Stream, IPollTarget
{
    private readonly Socket _socket;
    private readonly ImsgPoller _poller;
    private readonly ulong _tag;
    private readonly int _fd;
    private TaskCompletionSource<int>? _reader;
    private Memory<byte> _readInto;
    private TaskCompletionSource<int>? _writer;
    private ReadOnlyMemory<byte> _writeLeft;
    private bool _disposed;

    private const uint ReadEvents = Libc.EPOLLIN | Libc.EPOLLRDHUP | Libc.EPOLLET;

    private LoopSocketStream(Socket socket, ImsgPoller poller)
    {
        _socket = socket;
        _poller = poller;
        socket.Blocking = false;
        _fd = (int)socket.Handle;
        _tag = poller.NewTag(this);
        poller.Watch(_tag, _fd, ReadEvents, add: true);
    }

    /// <summary>A stream over <paramref name="socket"/> (which it then owns) when the calling thread drives the poller, else null.</summary>
    public static LoopSocketStream? TryCreate(Socket socket) =>
        ImsgPoller.DrivenByCurrentThread is { } poller ? new LoopSocketStream(socket, poller) : null;

    /// <summary>A stream over <paramref name="socket"/> whose events <paramref name="poller"/> reports (tests).</summary>
    internal static LoopSocketStream Create(Socket socket, ImsgPoller poller) => new(socket, poller);

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_reader is { } waiting)
        {
            if (!waiting.Task.IsCompleted)
            {
                throw new InvalidOperationException("a read is already waiting");
            }

            _reader = null;
        }

        if (buffer.Length == 0)
        {
            return ValueTask.FromResult(0);
        }

        int n = TryReceive(buffer.Span);
        if (n >= 0)
        {
            return ValueTask.FromResult(n);
        }

        _reader = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        _readInto = buffer;
        return WaitAsync(_reader, cancellationToken);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_writer is { } waiting)
        {
            if (!waiting.Task.IsCompleted)
            {
                throw new InvalidOperationException("a write is already waiting");
            }

            _writer = null;
        }

        var left = SendSome(buffer);
        if (left.IsEmpty)
        {
            return ValueTask.CompletedTask;
        }

        _writer = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        _writeLeft = left;
        _poller.Watch(_tag, _fd, ReadEvents | Libc.EPOLLOUT, add: false);
        return new ValueTask(WaitAsync(_writer, cancellationToken).AsTask());
    }

    public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override Task FlushAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException("asynchronous use only");

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException("asynchronous use only");

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    /// <summary>The poller's report (on the loop thread): go on with whatever waits.</summary>
    public void OnReady(uint events)
    {
        if (_disposed)
        {
            return;
        }

        if (_reader is { } reader)
        {
            if (reader.Task.IsCompleted)
            {
                _reader = null;
            }
            else
            {
                try
                {
                    int n = TryReceive(_readInto.Span);
                    if (n >= 0)
                    {
                        _reader = null;
                        _readInto = default;
                        reader.TrySetResult(n);
                    }
                }
                catch (IOException e)
                {
                    _reader = null;
                    reader.TrySetException(e);
                }
            }
        }

        if (_writer is { } writer)
        {
            try
            {
                if (!writer.Task.IsCompleted)
                {
                    _writeLeft = SendSome(_writeLeft);
                    if (!_writeLeft.IsEmpty)
                    {
                        return;
                    }

                    writer.TrySetResult(0);
                }
            }
            catch (IOException e)
            {
                writer.TrySetException(e);
            }

            _writer = null;
            _writeLeft = default;
            _poller.Watch(_tag, _fd, ReadEvents, add: false);
        }
    }

    protected override void Dispose(bool disposing)
    {
        if (disposing && !_disposed)
        {
            _disposed = true;
            _poller.Unwatch(_fd);
            _poller.Forget(_tag);
            _reader?.TrySetException(new ObjectDisposedException(nameof(LoopSocketStream)));
            _writer?.TrySetException(new ObjectDisposedException(nameof(LoopSocketStream)));
            _reader = null;
            _writer = null;
            _socket.Dispose();
        }

        base.Dispose(disposing);
    }

    // The token is cancelled from a timer thread: only the waiter is touched there; the loop drops
    // a completed waiter when it next sees it. (A write's waiter carries a dummy result.)
    private static async ValueTask<int> WaitAsync(TaskCompletionSource<int> waiter, CancellationToken cancellationToken)
    {
        if (!cancellationToken.CanBeCanceled)
        {
            return await waiter.Task;
        }

        using (cancellationToken.Register(static s => ((TaskCompletionSource<int>)s!).TrySetCanceled(), waiter))
        {
            return await waiter.Task;
        }
    }

    /// <summary>Bytes read (0 at end of stream), or -1 when there is nothing yet.</summary>
    private int TryReceive(Span<byte> buffer)
    {
        int n = _socket.Receive(buffer, SocketFlags.None, out SocketError error);
        return error switch
        {
            SocketError.Success => n,
            SocketError.WouldBlock => -1,
            _ => throw new IOException("recv: " + error, new SocketException((int)error)),
        };
    }

    /// <summary>Sends what the socket takes now; returns the rest.</summary>
    private ReadOnlyMemory<byte> SendSome(ReadOnlyMemory<byte> data)
    {
        while (!data.IsEmpty)
        {
            int n = _socket.Send(data.Span, SocketFlags.None, out SocketError error);
            if (error == SocketError.WouldBlock)
            {
                return data;
            }

            if (error != SocketError.Success)
            {
                throw new IOException("send: " + error, new SocketException((int)error));
            }

            data = data[n..];
        }

        return data;
    }
}
