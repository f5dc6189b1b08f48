// The spool settings smtpd.conf can change: "queue compression" and "queue encryption <key>".
// The key is used byte-for-byte as given (OpenSMTPD takes the 32 characters of
// "openssl rand -hex 16" as the AES-256 key itself, not their decoded value).
// Behaviour reference: usr.sbin/smtpd/parse.y (queue), crypto.c (crypto_setup).
namespace Smtpd.Queue;

internal sealed record QueueOptions
{
    public static readonly QueueOptions Default = new();

    public bool Compression { get; init; }

    /// <summary>32 bytes, or null for no encryption.</summary>
    public byte[]? EncryptionKey { get; init; }

    /// <summary>How a commit is made durable (see QueueSyncMode).</summary>
    public QueueSyncMode Sync { get; init; } = QueueSyncMode.Grouped;

    /// <summary>Seconds since the epoch; stamped as ctime on new envelopes. Tests replace it.</summary>
    public Func<long> Clock { get; init; } = () => DateTimeOffset.UtcNow.ToUnixTimeSeconds();
}
