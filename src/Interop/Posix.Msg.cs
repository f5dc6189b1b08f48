// sendmsg/recvmsg over a UNIX stream socket with at most a few descriptors riding along
// (SCM_RIGHTS). The kernel attaches passed descriptors to the first byte of the send, so the
// IPC layer sends a frame that carries a descriptor in a sendmsg of its own.
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static partial class Posix
{
    /// <summary>Most descriptors one recvmsg accepts; more are a protocol error (MSG_CTRUNC).</summary>
    public const int MaxFdsPerRecv = 16;

    /// <summary>
    /// Sends bytes, optionally with one descriptor. Returns bytes written; 0 only for EAGAIN
    /// (a non-blocking socket, or <paramref name="dontWait"/>).
    /// </summary>
    public static unsafe int SendMsg(SafeFd socket, ReadOnlySpan<byte> data, int passFd = -1, bool dontWait = false)
    {
        byte* control = stackalloc byte[Libc.CmsgSpace(sizeof(int))];
        fixed (byte* p = data)
        {
            Libc.IoVec iov;
            iov.Base = p;
            iov.Len = (nuint)data.Length;
            Libc.MsgHdr msg = default;
            msg.Iov = &iov;
            msg.IovLen = 1;
            if (passFd >= 0)
            {
                int space = Libc.CmsgSpace(sizeof(int));
                new Span<byte>(control, space).Clear();
                var cmsg = (Libc.CmsgHdr*)control;
                cmsg->Len = (nuint)Libc.CmsgLen(sizeof(int));
                cmsg->Level = Libc.SOL_SOCKET;
                cmsg->Type = Libc.SCM_RIGHTS;
                *(int*)(control + Libc.CmsgAlign(sizeof(Libc.CmsgHdr))) = passFd;
                msg.Control = control;
                msg.ControlLen = (nuint)space;
            }

            while (true)
            {
                nint n = Libc.SendMsg(socket.Fd, &msg, Libc.MSG_NOSIGNAL | (dontWait ? Libc.MSG_DONTWAIT : 0));
                if (n >= 0)
                {
                    return (int)n;
                }

                int errno = Marshal.GetLastPInvokeError();
                if (errno == (int)Errno.EINTR)
                {
                    continue;
                }

                if (errno == (int)Errno.EAGAIN)
                {
                    return 0;
                }

                throw new PosixException(errno, "sendmsg");
            }
        }
    }

    /// <summary>
    /// Receives bytes into <paramref name="buffer"/>; descriptors that came along are appended
    /// to <paramref name="fds"/> (close-on-exec). Returns 0 at end of stream. Throws when the
    /// kernel had to drop descriptors (MSG_CTRUNC). With <paramref name="dontWait"/>, returns
    /// -1 when nothing is there yet (EAGAIN).
    /// </summary>
    public static int RecvMsg(SafeFd socket, Span<byte> buffer, List<SafeFd> fds, bool dontWait = false)
    {
        int n = RecvMsg(socket, buffer, fds, out bool truncated, dontWait);
        if (truncated)
        {
            throw new PosixException("recvmsg: control data truncated (too many descriptors)");
        }

        return n;
    }

    /// <summary>
    /// As above, but a dropped descriptor is reported in <paramref name="truncated"/> rather
    /// than thrown: the kernel drops what it cannot install (MSG_CTRUNC), which is also what
    /// happens when this process is out of descriptors (EMFILE, ENFILE), and the caller
    /// decides what the loss means. The bytes are delivered either way.
    /// </summary>
    public static unsafe int RecvMsg(SafeFd socket, Span<byte> buffer, List<SafeFd> fds, out bool truncated, bool dontWait = false)
    {
        truncated = false;
        int space = Libc.CmsgSpace(sizeof(int) * MaxFdsPerRecv);
        byte* control = stackalloc byte[space];
        fixed (byte* p = buffer)
        {
            Libc.IoVec iov;
            iov.Base = p;
            iov.Len = (nuint)buffer.Length;
            Libc.MsgHdr msg = default;
            msg.Iov = &iov;
            msg.IovLen = 1;
            msg.Control = control;
            msg.ControlLen = (nuint)space;

            nint n;
            while (true)
            {
                n = Libc.RecvMsg(socket.Fd, &msg, Libc.MSG_CMSG_CLOEXEC | (dontWait ? Libc.MSG_DONTWAIT : 0));
                if (n >= 0)
                {
                    break;
                }

                int errno = Marshal.GetLastPInvokeError();
                if (errno == (int)Errno.EAGAIN && dontWait)
                {
                    return -1;
                }

                if (errno != (int)Errno.EINTR)
                {
                    throw new PosixException(errno, "recvmsg");
                }
            }

            CollectFds(&msg, fds);
            truncated = (msg.Flags & Libc.MSG_CTRUNC) != 0;
            return (int)n;
        }
    }

    private static unsafe void CollectFds(Libc.MsgHdr* msg, List<SafeFd> fds)
    {
        byte* cur = (byte*)msg->Control;
        byte* end = cur + msg->ControlLen;
        int headerSize = Libc.CmsgAlign(sizeof(Libc.CmsgHdr));
        while (cur + sizeof(Libc.CmsgHdr) <= end)
        {
            var cmsg = (Libc.CmsgHdr*)cur;
            if ((int)cmsg->Len < sizeof(Libc.CmsgHdr) || cur + (int)cmsg->Len > end)
            {
                break;
            }

            if (cmsg->Level == Libc.SOL_SOCKET && cmsg->Type == Libc.SCM_RIGHTS)
            {
                int count = ((int)cmsg->Len - headerSize) / sizeof(int);
                int* data = (int*)(cur + headerSize);
                for (int i = 0; i < count; i++)
                {
                    fds.Add(new SafeFd(data[i]));
                }
            }

            cur += Libc.CmsgAlign((int)cmsg->Len);
        }
    }
}
