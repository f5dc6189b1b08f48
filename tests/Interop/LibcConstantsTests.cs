// The constants we still declare (as C# constants, which Tmds.LibC's properties cannot be)
// against Tmds.LibC and against the C headers of this machine.
using Smtpd.Interop;
using Tmds.Linux;

namespace Smtpd.Tests.Interop;

public class LibcConstantsTests
{
    [Fact]
    public void OpenEpollAndSignalConstantsAreTmdsLibCs()
    {
        Assert.Equal(Libc.O_RDONLY, LibC.O_RDONLY);
        Assert.Equal(Libc.O_WRONLY, LibC.O_WRONLY);
        Assert.Equal(Libc.O_RDWR, LibC.O_RDWR);
        Assert.Equal(Libc.O_CREAT, LibC.O_CREAT);
        Assert.Equal(Libc.O_EXCL, LibC.O_EXCL);
        Assert.Equal(Libc.O_TRUNC, LibC.O_TRUNC);
        Assert.Equal(Libc.O_APPEND, LibC.O_APPEND);
        Assert.Equal(Libc.O_DIRECTORY, LibC.O_DIRECTORY);
        Assert.Equal(Libc.O_NOFOLLOW, LibC.O_NOFOLLOW);
        Assert.Equal(Libc.O_NONBLOCK, LibC.O_NONBLOCK);
        Assert.Equal(Libc.O_CLOEXEC, LibC.O_CLOEXEC);
        Assert.Equal(Libc.EPOLL_CTL_ADD, LibC.EPOLL_CTL_ADD);
        Assert.Equal(Libc.EPOLL_CTL_DEL, LibC.EPOLL_CTL_DEL);
        Assert.Equal(Libc.EPOLL_CTL_MOD, LibC.EPOLL_CTL_MOD);
        Assert.Equal((int)Libc.EPOLLIN, LibC.EPOLLIN);
        Assert.Equal((int)Libc.EPOLLOUT, LibC.EPOLLOUT);
        Assert.Equal((int)Libc.EPOLLERR, LibC.EPOLLERR);
        Assert.Equal((int)Libc.EPOLLHUP, LibC.EPOLLHUP);
        Assert.Equal((int)Libc.EPOLLRDHUP, LibC.EPOLLRDHUP);
        Assert.Equal(unchecked((int)Libc.EPOLLET), LibC.EPOLLET);
        Assert.Equal(Libc.SIGHUP, LibC.SIGHUP);
        Assert.Equal(Libc.SIGINT, LibC.SIGINT);
        Assert.Equal(Libc.SIGKILL, LibC.SIGKILL);
        Assert.Equal(Libc.SIGTERM, LibC.SIGTERM);
    }

    [CHeadersFact]
    public void OurConstantsAreTheCHeadersOnes()
    {
        (string Name, long Value)[] ours =
        [
            ("O_RDONLY", Libc.O_RDONLY), ("O_WRONLY", Libc.O_WRONLY), ("O_RDWR", Libc.O_RDWR), ("O_CREAT", Libc.O_CREAT),
            ("O_EXCL", Libc.O_EXCL), ("O_TRUNC", Libc.O_TRUNC), ("O_APPEND", Libc.O_APPEND),
            ("O_DIRECTORY", Libc.O_DIRECTORY), ("O_NOFOLLOW", Libc.O_NOFOLLOW), ("O_NONBLOCK", Libc.O_NONBLOCK), ("O_CLOEXEC", Libc.O_CLOEXEC),
            ("EPOLL_CTL_ADD", Libc.EPOLL_CTL_ADD), ("EPOLL_CTL_DEL", Libc.EPOLL_CTL_DEL), ("EPOLL_CTL_MOD", Libc.EPOLL_CTL_MOD),
            ("EPOLLIN", Libc.EPOLLIN), ("EPOLLOUT", Libc.EPOLLOUT), ("EPOLLERR", Libc.EPOLLERR), ("EPOLLHUP", Libc.EPOLLHUP),
            ("EPOLLRDHUP", Libc.EPOLLRDHUP), ("(unsigned)EPOLLET", Libc.EPOLLET),
            ("SIGHUP", Libc.SIGHUP), ("SIGINT", Libc.SIGINT), ("SIGKILL", Libc.SIGKILL), ("SIGTERM", Libc.SIGTERM),
            ("LOG_PID", Libc.LOG_PID), ("LOG_NDELAY", Libc.LOG_NDELAY), ("LOG_MAIL", Libc.LOG_MAIL), ("LOG_CRIT", Libc.LOG_CRIT),
            ("LOG_ERR", Libc.LOG_ERR), ("LOG_WARNING", Libc.LOG_WARNING), ("LOG_INFO", Libc.LOG_INFO), ("LOG_DEBUG", Libc.LOG_DEBUG),
            ("LOCK_SH", Libc.LOCK_SH), ("LOCK_EX", Libc.LOCK_EX), ("LOCK_NB", Libc.LOCK_NB), ("LOCK_UN", Libc.LOCK_UN),
            ("RLIMIT_NOFILE", Libc.RLIMIT_NOFILE), ("WNOHANG", Libc.WNOHANG),
            ("PR_SET_NAME", Libc.PR_SET_NAME), ("PR_SET_NO_NEW_PRIVS", Libc.PR_SET_NO_NEW_PRIVS),
            ("RENAME_NOREPLACE", Libc.RENAME_NOREPLACE), ("PRIO_PROCESS", Libc.PRIO_PROCESS),
            ("POSIX_SPAWN_SETPGROUP", Libc.POSIX_SPAWN_SETPGROUP), ("POSIX_SPAWN_SETSIGDEF", Libc.POSIX_SPAWN_SETSIGDEF),
            ("POSIX_SPAWN_SETSIGMASK", Libc.POSIX_SPAWN_SETSIGMASK), ("POSIX_SPAWN_SETSID", Libc.POSIX_SPAWN_SETSID),
        ];
        foreach (var (name, value) in ours)
        {
            Assert.True(CHeaders.Get(name) == value, $"{name}: ours {value}, C headers {CHeaders.Get(name)}");
        }
    }
}
