// epoll(7) event bits and epoll_ctl operations the IPC layer names in constant expressions.
// The calls, struct epoll_event (packed on x86-64 only) and the other flags come from
// Tmds.LibC; LibcConstantsTests checks each value here against it.
namespace Smtpd.Interop;

internal static partial class Libc
{
    internal const int EPOLL_CTL_ADD = 1;
    internal const int EPOLL_CTL_DEL = 2;
    internal const int EPOLL_CTL_MOD = 3;
    internal const uint EPOLLIN = 0x1;
    internal const uint EPOLLOUT = 0x4;
    internal const uint EPOLLERR = 0x8;
    internal const uint EPOLLHUP = 0x10;
    internal const uint EPOLLRDHUP = 0x2000;
    internal const uint EPOLLET = 0x80000000;
}
