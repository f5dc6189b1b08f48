// The struct layouts libc calls read and write, checked against the C headers of this machine:
// Tmds.LibC's (msghdr, cmsghdr, iovec, epoll_event, statx, sockaddr_un, sigset_t), built per
// architecture, and our own for what it does not declare (passwd, group, spwd, rlimit).
// Tmds' structs hide some fields behind properties, so an offset is found by writing the field
// and seeing which byte changed (both our architectures are little-endian).
using System.Runtime.InteropServices;
using Smtpd.Interop;
using Tmds.Linux;

namespace Smtpd.Tests.Interop;

public class SocketLayoutTests
{
    private unsafe delegate void Setter<T>(T* value)
        where T : unmanaged;

    [Fact]
    public unsafe void MsghdrAndCmsghdrHaveTheLp64GlibcSizes()
    {
        Assert.Equal(56, sizeof(msghdr));
        Assert.Equal(16, sizeof(cmsghdr));
        Assert.Equal(16, sizeof(iovec));
    }

    [Fact]
    public void CmsgArithmeticMatchesTheCMacros()
    {
        Assert.Equal(20, Libc.CmsgLen(sizeof(int)));
        Assert.Equal(24, LibC.CMSG_SPACE(sizeof(int)));
        Assert.Equal(16 + 64, LibC.CMSG_SPACE(16 * sizeof(int)));
    }

    [Fact]
    public void TmdsCmsgLenPadsThePayloadWhichIsWhyWeKeepOurOwn()
    {
        // glibc: CMSG_ALIGN(sizeof(struct cmsghdr)) + len. Tmds.LibC 0.5.0 aligns the sum, which
        // for one descriptor claims 24 bytes: the kernel would take the padding for a second one.
        Assert.Equal(24, LibC.CMSG_LEN(sizeof(int)));
        Assert.NotEqual(LibC.CMSG_LEN(sizeof(int)), Libc.CmsgLen(sizeof(int)));
    }

    [CHeadersFact]
    public unsafe void TmdsSocketLayoutsAreTheCHeadersOnes()
    {
        Assert.Equal(CHeaders.Get("sizeof msghdr"), sizeof(msghdr));
        Assert.Equal(CHeaders.Get("offsetof msghdr.msg_iov"), Offset<msghdr>(m => m->msg_iov = (iovec*)1));
        Assert.Equal(CHeaders.Get("offsetof msghdr.msg_iovlen"), Offset<msghdr>(m => m->msg_iovlen = 1));
        Assert.Equal(CHeaders.Get("offsetof msghdr.msg_control"), Offset<msghdr>(m => m->msg_control = (void*)1));
        Assert.Equal(CHeaders.Get("offsetof msghdr.msg_controllen"), Offset<msghdr>(m => m->msg_controllen = 1));
        Assert.Equal(CHeaders.Get("offsetof msghdr.msg_flags"), Offset<msghdr>(m => m->msg_flags = 1));
        Assert.Equal(CHeaders.Get("sizeof cmsghdr"), sizeof(cmsghdr));
        Assert.Equal(0, Offset<cmsghdr>(c => c->cmsg_len = 1));
        Assert.Equal(CHeaders.Get("offsetof cmsghdr.cmsg_level"), Offset<cmsghdr>(c => c->cmsg_level = 1));
        Assert.Equal(CHeaders.Get("offsetof cmsghdr.cmsg_type"), Offset<cmsghdr>(c => c->cmsg_type = 1));
        Assert.Equal(CHeaders.Get("sizeof iovec"), sizeof(iovec));
        Assert.Equal(CHeaders.Get("offsetof iovec.iov_len"), Offset<iovec>(v => v->iov_len = 1));
        Assert.Equal(CHeaders.Get("sizeof sockaddr_un"), sizeof(sockaddr_un));
        Assert.Equal(CHeaders.Get("offsetof sockaddr_un.sun_path"), sockaddr_un.sun_path_offset);
    }

    [CHeadersFact]
    public void CmsgArithmeticIsTheCHeadersOne()
    {
        Assert.Equal(CHeaders.Get("CMSG_LEN(4)"), Libc.CmsgLen(sizeof(int)));
        Assert.Equal(CHeaders.Get("CMSG_SPACE(4)"), LibC.CMSG_SPACE(sizeof(int)));
        Assert.Equal(CHeaders.Get("CMSG_SPACE(64)"), LibC.CMSG_SPACE(16 * sizeof(int)));
    }

    [CHeadersFact]
    public unsafe void TmdsEpollStatxAndSigsetLayoutsAreTheCHeadersOnes()
    {
        // epoll_event is packed on x86-64 only: 12 bytes there, 16 on arm64.
        Assert.Equal(CHeaders.Get("sizeof epoll_event"), sizeof(epoll_event));
        Assert.Equal(CHeaders.Get("sizeof epoll_event"), Posix.EpollEventSize);
        Assert.Equal(CHeaders.Get("offsetof epoll_event.data"), Offset<epoll_event>(e => e->data.u64 = 1));
        Assert.Equal(CHeaders.Get("sizeof statx"), sizeof(statx));
        Assert.Equal(CHeaders.Get("offsetof statx.stx_nlink"), Offset<statx>(s => s->stx_nlink = 1));
        Assert.Equal(CHeaders.Get("offsetof statx.stx_uid"), Offset<statx>(s => s->stx_uid = 1));
        Assert.Equal(CHeaders.Get("offsetof statx.stx_gid"), Offset<statx>(s => s->stx_gid = 1));
        Assert.Equal(CHeaders.Get("offsetof statx.stx_mode"), Offset<statx>(s => s->stx_mode = 1));
        Assert.Equal(CHeaders.Get("offsetof statx.stx_size"), Offset<statx>(s => s->stx_size = 1));
        Assert.Equal(CHeaders.Get("sizeof sigset_t"), sizeof(sigset_t));
    }

    [CHeadersFact]
    public unsafe void OurOwnLayoutsAreTheCHeadersOnes()
    {
        Assert.Equal(CHeaders.Get("sizeof passwd"), sizeof(Libc.Passwd));
        Assert.Equal(CHeaders.Get("offsetof passwd.pw_uid"), Field<Libc.Passwd>(nameof(Libc.Passwd.Uid)));
        Assert.Equal(CHeaders.Get("offsetof passwd.pw_gid"), Field<Libc.Passwd>(nameof(Libc.Passwd.Gid)));
        Assert.Equal(CHeaders.Get("offsetof passwd.pw_gecos"), Field<Libc.Passwd>(nameof(Libc.Passwd.Gecos)));
        Assert.Equal(CHeaders.Get("offsetof passwd.pw_dir"), Field<Libc.Passwd>(nameof(Libc.Passwd.Dir)));
        Assert.Equal(CHeaders.Get("offsetof passwd.pw_shell"), Field<Libc.Passwd>(nameof(Libc.Passwd.Shell)));
        Assert.Equal(CHeaders.Get("sizeof group"), sizeof(Libc.Group));
        Assert.Equal(CHeaders.Get("offsetof group.gr_gid"), Field<Libc.Group>(nameof(Libc.Group.Gid)));
        Assert.Equal(CHeaders.Get("offsetof group.gr_mem"), Field<Libc.Group>(nameof(Libc.Group.Members)));
        Assert.Equal(CHeaders.Get("sizeof spwd"), sizeof(Libc.Spwd));
        Assert.Equal(CHeaders.Get("offsetof spwd.sp_pwdp"), Field<Libc.Spwd>(nameof(Libc.Spwd.Pwdp)));
        Assert.Equal(CHeaders.Get("offsetof spwd.sp_flag"), Field<Libc.Spwd>(nameof(Libc.Spwd.Flag)));
        Assert.Equal(CHeaders.Get("sizeof rlimit"), sizeof(Libc.RLimit));
        Assert.Equal(CHeaders.Get("offsetof rlimit.rlim_max"), Field<Libc.RLimit>(nameof(Libc.RLimit.Max)));

        // We allocate more than glibc's opaque spawn types need.
        Assert.True(Libc.SpawnFileActionsSize >= CHeaders.Get("sizeof posix_spawn_file_actions_t"));
        Assert.True(Libc.SpawnAttrSize >= CHeaders.Get("sizeof posix_spawnattr_t"));
    }

    private static unsafe int Offset<T>(Setter<T> set)
        where T : unmanaged
    {
        T value = default;
        set(&value);
        var bytes = new ReadOnlySpan<byte>(&value, sizeof(T));
        return bytes.IndexOfAnyExcept((byte)0);
    }

    private static int Field<T>(string name)
        where T : unmanaged => (int)Marshal.OffsetOf<T>(name);
}
