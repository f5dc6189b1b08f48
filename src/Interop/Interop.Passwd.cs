// getpwnam_r/getgrnam_r/getpwuid_r: reentrant user and group lookups (struct passwd, struct group).
// Tmds.LibC 0.5.0 has none of them (getgrnam_r came to its sources later, in no release).
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static partial class Libc
{
    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct Passwd
    {
        public byte* Name;
        public byte* Passwd_;
        public uint Uid;
        public uint Gid;
        public byte* Gecos;
        public byte* Dir;
        public byte* Shell;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct Group
    {
        public byte* Name;
        public byte* Passwd;
        public uint Gid;
        public byte** Members;
    }

    [LibraryImport(Name, EntryPoint = "getpwnam_r", StringMarshalling = StringMarshalling.Utf8)]
    internal static unsafe partial int GetPwNamR(string name, Passwd* pwd, byte* buf, nuint buflen, Passwd** result);

    [LibraryImport(Name, EntryPoint = "getpwuid_r")]
    internal static unsafe partial int GetPwUidR(uint uid, Passwd* pwd, byte* buf, nuint buflen, Passwd** result);

    [LibraryImport(Name, EntryPoint = "getgrnam_r", StringMarshalling = StringMarshalling.Utf8)]
    internal static unsafe partial int GetGrNamR(string name, Group* grp, byte* buf, nuint buflen, Group** result);
}
