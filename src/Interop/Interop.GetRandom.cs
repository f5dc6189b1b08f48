// getrandom(2): the kernel's CSPRNG. Ids and DNS query ids come from here, so that roles without
// TLS or queue encryption never map OpenSSL (which .NET's RandomNumberGenerator uses on Linux).
// Not in Tmds.LibC.
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static partial class Libc
{
    [LibraryImport(Name, EntryPoint = "getrandom", SetLastError = true)]
    internal static unsafe partial nint GetRandom(byte* buffer, nuint length, uint flags);
}
