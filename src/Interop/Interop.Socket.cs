// socketpair, sendmsg/recvmsg with SCM_RIGHTS, shutdown. Layouts are x86_64/arm64 LP64 glibc
// (sys/socket.h, bits/socket.h); SocketLayoutTests guards the sizes.
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static partial class Libc
{
    internal const int AF_UNIX = 1;
    internal const int SOCK_STREAM = 1;
    internal const int SOCK_CLOEXEC = 0x80000;
    internal const int SOL_SOCKET = 1;
    internal const int SCM_RIGHTS = 1;
    internal const int MSG_NOSIGNAL = 0x4000;
    internal const int MSG_CMSG_CLOEXEC = 0x40000000;
    internal const int MSG_DONTWAIT = 0x40;
    internal const int MSG_CTRUNC = 0x8;
    internal const int SHUT_RDWR = 2;
    internal const int SO_SNDBUF = 7;
    internal const int SO_RCVBUF = 8;

    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct IoVec
    {
        public void* Base;
        public nuint Len;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal unsafe struct MsgHdr
    {
        public void* Name;
        public uint NameLen;
        public IoVec* Iov;
        public nuint IovLen;
        public void* Control;
        public nuint ControlLen;
        public int Flags;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct CmsgHdr
    {
        public nuint Len;
        public int Level;
        public int Type;
    }

    /// <summary>CMSG_ALIGN: control data is aligned to sizeof(size_t).</summary>
    internal static int CmsgAlign(int len) => (len + (nint.Size - 1)) & ~(nint.Size - 1);

    internal static unsafe int CmsgSpace(int dataLen) => CmsgAlign(sizeof(CmsgHdr)) + CmsgAlign(dataLen);

    internal static unsafe int CmsgLen(int dataLen) => CmsgAlign(sizeof(CmsgHdr)) + dataLen;

    [LibraryImport(Name, EntryPoint = "socketpair", SetLastError = true)]
    internal static unsafe partial int SocketPair(int domain, int type, int protocol, int* sv);

    [LibraryImport(Name, EntryPoint = "sendmsg", SetLastError = true)]
    internal static unsafe partial nint SendMsg(int fd, MsgHdr* msg, int flags);

    [LibraryImport(Name, EntryPoint = "recvmsg", SetLastError = true)]
    internal static unsafe partial nint RecvMsg(int fd, MsgHdr* msg, int flags);

    [LibraryImport(Name, EntryPoint = "shutdown", SetLastError = true)]
    internal static partial int Shutdown(int fd, int how);

    [LibraryImport(Name, EntryPoint = "setsockopt", SetLastError = true)]
    internal static unsafe partial int SetSockOpt(int fd, int level, int name, void* value, uint len);
}
