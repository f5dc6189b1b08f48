// Password checks against crypt(3) hashes, for AUTH credentials tables and system users.
// Behaviour reference: OpenBSD libc crypt_checkpass(3) as OpenSMTPD's lka_authenticate() uses it.
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;

namespace Smtpd.Interop;

internal static partial class Posix
{
    /// <summary>
    /// crypt(3) of <paramref name="phrase"/> with <paramref name="setting"/> (a whole hash or just
    /// its "$id$salt" prefix); null when the library refuses (unknown method, malformed setting,
    /// a NUL in either), so a caller can never mistake a failure token for a hash.
    /// </summary>
    public static unsafe string? Crypt(ReadOnlySpan<byte> phrase, string setting)
    {
        byte[] settingBytes = Encoding.UTF8.GetBytes(setting);
        if (phrase.Contains((byte)0) || settingBytes.AsSpan().Contains((byte)0))
        {
            return null;
        }

        // Both strings need their terminating NUL; the state buffer must start zeroed.
        byte[] p = new byte[phrase.Length + 1];
        phrase.CopyTo(p);
        byte[] s = [.. settingBytes, 0];
        void* data = NativeMemory.AllocZeroed(LibCrypt.CryptDataSize);
        try
        {
            fixed (byte* pp = p, sp = s)
            {
                byte* result = LibCrypt.CryptR(pp, sp, data);

                // libxcrypt answers a failure with a short token starting with '*' rather than NULL.
                return result == null || *result == (byte)'*' ? null : Marshal.PtrToStringUTF8((nint)result);
            }
        }
        finally
        {
            // The state holds key material derived from the password.
            NativeMemory.Clear(data, LibCrypt.CryptDataSize);
            NativeMemory.Free(data);
            CryptographicOperations.ZeroMemory(p);
        }
    }

    /// <summary>
    /// Whether <paramref name="password"/> hashes to <paramref name="hash"/>, compared in time
    /// that does not depend on where they differ (crypt_checkpass).
    /// </summary>
    public static bool CheckPassword(ReadOnlySpan<byte> password, string hash)
    {
        string? computed = Crypt(password, hash);
        return computed is not null && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(computed), Encoding.UTF8.GetBytes(hash));
    }

    /// <summary>
    /// A fresh setting ("$y$jCT$salt", "$2b$10$salt", ...) for the method named by
    /// <paramref name="prefix"/>, salted from libxcrypt's random source; null when this libcrypt
    /// does not offer the method.
    /// </summary>
    public static unsafe string? CryptGenSalt(string prefix, ulong count)
    {
        // CRYPT_GENSALT_OUTPUT_SIZE in <crypt.h>.
        const int outputSize = 192;
        byte[] p = [.. Encoding.ASCII.GetBytes(prefix), 0];
        byte* output = stackalloc byte[outputSize];
        fixed (byte* pp = p)
        {
            byte* result = LibCrypt.GenSaltRn(pp, (nuint)count, null, 0, output, outputSize);
            return result == null || *result == (byte)'*' ? null : Marshal.PtrToStringUTF8((nint)result);
        }
    }
}
