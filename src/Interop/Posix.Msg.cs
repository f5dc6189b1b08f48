// sendmsg/recvmsg over a UNIX stream socket with at most a few descriptors riding along
// (SCM_RIGHTS). The kernel attaches passed descriptors to the first byte of the send, so the
// IPC layer sends a frame that carries a descriptor in a sendmsg of its own. msghdr, cmsghdr,
// iovec and the CMSG_ helpers are Tmds.LibC's, except CMSG_LEN (Interop.Socket.cs says why).
using System.Runtime.InteropServices;
using Tmds.Linux;

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
        int space = LibC.CMSG_SPACE(sizeof(int));
        byte* control = stackalloc byte[space];
        fixed (byte* p = data)
        {
            iovec iov = default;
            iov.iov_base = p;
            iov.iov_len = data.Length;
            msghdr msg = default;
            msg.msg_iov = &iov;
            msg.msg_iovlen = 1;
            if (passFd >= 0)
            {
                new Span<byte>(control, space).Clear();
                var cmsg = (cmsghdr*)control;
                cmsg->cmsg_len = Libc.CmsgLen(sizeof(int));
                cmsg->cmsg_level = LibC.SOL_SOCKET;
                cmsg->cmsg_type = LibC.SCM_RIGHTS;
                *(int*)LibC.CMSG_DATA(cmsg) = passFd;
                msg.msg_control = control;
                msg.msg_controllen = space;
            }

            while (true)
            {
                long n = LibC.sendmsg(socket.Fd, &msg, LibC.MSG_NOSIGNAL | (dontWait ? LibC.MSG_DONTWAIT : 0));
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
        int space = LibC.CMSG_SPACE(sizeof(int) * MaxFdsPerRecv);
        byte* control = stackalloc byte[space];
        fixed (byte* p = buffer)
        {
            iovec iov = default;
            iov.iov_base = p;
            iov.iov_len = buffer.Length;
            msghdr msg = default;
            msg.msg_iov = &iov;
            msg.msg_iovlen = 1;
            msg.msg_control = control;
            msg.msg_controllen = space;

            long n;
            while (true)
            {
                n = LibC.recvmsg(socket.Fd, &msg, LibC.MSG_CMSG_CLOEXEC | (dontWait ? LibC.MSG_DONTWAIT : 0));
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
            truncated = (msg.msg_flags & LibC.MSG_CTRUNC) != 0;
            return (int)n;
        }
    }

    private static unsafe void CollectFds(msghdr* msg, List<SafeFd> fds)
    {
        byte* cur = (byte*)msg->msg_control;
        byte* end = cur + (uint)msg->msg_controllen;
        int headerSize = LibC.CMSG_ALIGN(sizeof(cmsghdr));
        while (cur + sizeof(cmsghdr) <= end)
        {
            var cmsg = (cmsghdr*)cur;
            int len = (int)cmsg->cmsg_len;
            if (len < sizeof(cmsghdr) || cur + len > end)
            {
                break;
            }

            if (cmsg->cmsg_level == LibC.SOL_SOCKET && cmsg->cmsg_type == LibC.SCM_RIGHTS)
            {
                int count = (len - headerSize) / sizeof(int);
                int* data = (int*)LibC.CMSG_DATA(cmsg);
                for (int i = 0; i < count; i++)
                {
                    fds.Add(new SafeFd(data[i]));
                }
            }

            cur += LibC.CMSG_ALIGN(len);
        }
    }
}
