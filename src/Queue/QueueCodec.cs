// The optional layers between a queue file's plain content and its bytes on disk, in
// OpenSMTPD's order: compress, then encrypt, when writing; decrypt, then decompress, when reading.
// Messages and envelopes use the same layers. Behaviour reference: usr.sbin/smtpd/queue_backend.c.
namespace Smtpd.Queue;

internal sealed class QueueCodec : IDisposable
{
    private readonly bool _compress;
    private readonly QueueEncryption? _encryption;

    public QueueCodec(QueueOptions options)
    {
        _compress = options.Compression;
        _encryption = options.EncryptionKey is { } key ? new QueueEncryption(key) : null;
    }

    /// <summary>True when stored bytes differ from the content (so message bodies must be rewritten at commit).</summary>
    public bool Transforms => _compress || _encryption is not null;

    public byte[] Encode(byte[] plain)
    {
        byte[] data = _compress ? QueueCompression.Compress(plain) : plain;
        return _encryption is null ? data : _encryption.Encrypt(data);
    }

    /// <summary>
    /// Stored bytes back to content, at most <paramref name="limit"/> long. Messages may be plain even
    /// with compression on (gzread passes them through); envelopes may not.
    /// </summary>
    public bool TryDecode(byte[] stored, long limit, bool isMessage, out byte[] plain, out string error)
    {
        plain = stored;
        if (_encryption is not null && !_encryption.TryDecrypt(stored, out plain))
        {
            error = "cannot decrypt";
            return false;
        }

        if (_compress && !QueueCompression.TryDecompress(plain, limit, passThroughPlain: isMessage, out plain))
        {
            error = "cannot uncompress";
            return false;
        }

        if (plain.LongLength > limit)
        {
            error = "too large";
            return false;
        }

        error = string.Empty;
        return true;
    }

    public void Dispose() => _encryption?.Dispose();
}
