// A write-only stream that keeps nothing: it counts bytes and remembers the largest single write,
// so a test can push tens of megabytes through a session and still check memory stayed bounded.
namespace Smtpd.Tests.Smtp;

internal sealed class CountingStream : Stream
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public int LargestWrite { get; private set; }

    public int LastByte { get; private set; } = -1;

    public override bool CanRead => false;

    public override bool CanSeek => false;

    public override bool CanWrite => true;

    public override long Length => Count;

    public override long Position { get => Count; set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));

    public override void Write(ReadOnlySpan<byte> buffer)
    {
        LargestWrite = Math.Max(LargestWrite, buffer.Length);
        if (buffer.Length > 0)
        {
            LastByte = buffer[^1];
        }

        Interlocked.Add(ref _count, buffer.Length);
    }

    public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
    {
        Write(buffer.Span);
        return ValueTask.CompletedTask;
    }
}
