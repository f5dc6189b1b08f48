// A read-only stream that yields some bytes first and then another stream: how every delivery
// method reads the message with the delivery headers (DeliveryHeaders) above it, without copying
// the spooled message anywhere.
namespace Smtpd.Mda;

internal sealed class PrefixedStream : Stream
{
    private readonly byte[] _prefix;
    private readonly Stream _rest;
    private int _prefixUsed;

    public PrefixedStream(byte[] prefix, Stream rest)
    {
        _prefix = prefix;
        _rest = rest;
    }

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => throw new NotSupportedException();
        set => throw new NotSupportedException();
    }

    // The prefix and the first read of the rest share one call, so a copy loop makes no extra
    // write for the prefix.
    public override int Read(Span<byte> buffer)
    {
        int n = TakePrefix(buffer);
        return n == buffer.Length ? n : n + _rest.Read(buffer[n..]);
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n = TakePrefix(buffer.Span);
        return n == buffer.Length ? n : n + await _rest.ReadAsync(buffer[n..], cancellationToken);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    private int TakePrefix(Span<byte> buffer)
    {
        int n = Math.Min(buffer.Length, _prefix.Length - _prefixUsed);
        _prefix.AsSpan(_prefixUsed, n).CopyTo(buffer);
        _prefixUsed += n;
        return n;
    }
}
