// getspnam_r: a user's entry in the shadow password database (struct spwd, <shadow.h>). Not in Tmds.LibC.
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static partial class Libc
{
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct Spwd
    {
        public byte* Namp;
        public byte* Pwdp;
        public nint Lstchg;
        public nint Min;
        public nint Max;
        public nint Warn;
        public nint Inact;
        public nint Expire;
        public nuint Flag;
    }

    [LibraryImport(Name, EntryPoint = "getspnam_r", StringMarshalling = StringMarshalling.Utf8)]
    internal static unsafe partial int GetSpNamR(string name, Spwd* spbuf, byte* buf, nuint buflen, Spwd** result);
}
