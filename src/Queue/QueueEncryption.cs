// AES-256-GCM for queued messages and envelopes in OpenSMTPD's layout: one version byte (1),
// a 12-byte random IV, the ciphertext, then the 16-byte tag. No associated data.
// Behaviour reference: usr.sbin/smtpd/crypto.c. The cipher is libcrypto's (Interop/OpenSslAesGcm),
// the IV from getrandom(2): .NET's own crypto stack is not linked in (idle memory, smtpd.csproj).
using Smtpd.Interop;

namespace Smtpd.Queue;

internal sealed class QueueEncryption : IDisposable
{
    public const byte ApiVersion = 1;
    public const int KeySize = 32;
    public const int IvSize = 12;
    public const int TagSize = 16;
    public const int Overhead = 1 + IvSize + TagSize;

    private readonly byte[] _key;

    public QueueEncryption(ReadOnlySpan<byte> key)
    {
        if (key.Length != KeySize)
        {
            throw new ArgumentException("queue encryption key must be 32 bytes", nameof(key));
        }

        _key = key.ToArray();
    }

    public byte[] Encrypt(ReadOnlySpan<byte> plain)
    {
        byte[] output = new byte[Overhead + plain.Length];
        output[0] = ApiVersion;
        Span<byte> iv = output.AsSpan(1, IvSize);
        Posix.FillRandom(iv);
        OpenSslAesGcm.Encrypt(_key, iv, plain, output.AsSpan(1 + IvSize, plain.Length), output.AsSpan(1 + IvSize + plain.Length, TagSize));
        return output;
    }

    /// <summary>False for a wrong version byte, a short input or a tag that does not authenticate.</summary>
    public bool TryDecrypt(ReadOnlySpan<byte> data, out byte[] plain)
    {
        plain = [];
        if (data.Length < Overhead || data[0] != ApiVersion)
        {
            return false;
        }

        int len = data.Length - Overhead;
        byte[] output = new byte[len];
        if (!OpenSslAesGcm.TryDecrypt(_key, data.Slice(1, IvSize), data.Slice(1 + IvSize, len), data.Slice(1 + IvSize + len, TagSize), output))
        {
            return false;
        }

        plain = output;
        return true;
    }

    public void Dispose() => Array.Clear(_key);
}
