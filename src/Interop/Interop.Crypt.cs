// crypt_r: one-way password hashing with the hash's own settings ("$6$salt$...", "$2b$10$...").
// The reentrant form, because its state lives in a buffer we own, not in a static one that
// another thread's call would overwrite.
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static unsafe partial class LibCrypt
{
    /// <summary>
    /// Room for struct crypt_data: 32,768 bytes in libxcrypt, 131,232 in the libcrypt glibc used
    /// to ship under the same soname; the larger fits both.
    /// </summary>
    internal const int CryptDataSize = 131_232;

    [LibraryImport(Name, EntryPoint = "crypt_r", SetLastError = true)]
    internal static partial byte* CryptR(byte* phrase, byte* setting, void* data);
}

internal static unsafe partial class LibCrypt
{
    /// <summary>
    /// crypt_gensalt_rn: a setting string for <paramref name="prefix"/>'s method at cost
    /// <paramref name="count"/> (0: the method's default), salted from the library's own random
    /// source when <paramref name="rbytes"/> is null; null when the method is not available.
    /// </summary>
    [LibraryImport(Name, EntryPoint = "crypt_gensalt_rn", SetLastError = true)]
    internal static partial byte* GenSaltRn(byte* prefix, nuint count, byte* rbytes, int nrbytes, byte* output, int outputSize);
}
