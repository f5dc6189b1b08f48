// Sizes, offsets and constants as this machine's C compiler and glibc headers give them, so
// the layouts we take from Tmds.LibC (and the few we declare ourselves) are checked against
// the real thing on whatever architecture the tests run (x86-64 here, arm64 in the packages).
using System.Diagnostics;
using System.Globalization;

namespace Smtpd.Tests.Interop;

internal static class CHeaders
{
    private const string Program = """
        #define _GNU_SOURCE
        #include <stdio.h>
        #include <stddef.h>
        #include <fcntl.h>
        #include <signal.h>
        #include <spawn.h>
        #include <syslog.h>
        #include <pwd.h>
        #include <grp.h>
        #include <shadow.h>
        #include <sys/epoll.h>
        #include <sys/eventfd.h>
        #include <sys/file.h>
        #include <sys/prctl.h>
        #include <sys/resource.h>
        #include <sys/socket.h>
        #include <sys/stat.h>
        #include <sys/uio.h>
        #include <sys/un.h>
        #include <sys/wait.h>
        #define P(name, value) printf("%s %lld\n", name, (long long)(value))
        #define S(type) P("sizeof " #type, sizeof(struct type))
        #define T(type) P("sizeof " #type, sizeof(type))
        #define O(type, field) P("offsetof " #type "." #field, offsetof(struct type, field))
        #define C(name) P(#name, name)
        int main(void)
        {
            S(msghdr); O(msghdr, msg_iov); O(msghdr, msg_iovlen); O(msghdr, msg_control); O(msghdr, msg_controllen); O(msghdr, msg_flags);
            S(cmsghdr); O(cmsghdr, cmsg_level); O(cmsghdr, cmsg_type);
            S(iovec); O(iovec, iov_len);
            S(epoll_event); O(epoll_event, data);
            S(statx); O(statx, stx_nlink); O(statx, stx_uid); O(statx, stx_gid); O(statx, stx_mode); O(statx, stx_size);
            S(sockaddr_un); O(sockaddr_un, sun_path);
            T(sigset_t);
            S(passwd); O(passwd, pw_uid); O(passwd, pw_gid); O(passwd, pw_gecos); O(passwd, pw_dir); O(passwd, pw_shell);
            S(group); O(group, gr_gid); O(group, gr_mem);
            S(spwd); O(spwd, sp_pwdp); O(spwd, sp_flag);
            S(rlimit); O(rlimit, rlim_max);
            T(posix_spawn_file_actions_t); T(posix_spawnattr_t);
            P("CMSG_LEN(4)", CMSG_LEN(sizeof(int))); P("CMSG_SPACE(4)", CMSG_SPACE(sizeof(int))); P("CMSG_SPACE(64)", CMSG_SPACE(16 * sizeof(int)));
            C(O_RDONLY); C(O_WRONLY); C(O_RDWR); C(O_CREAT); C(O_EXCL); C(O_TRUNC); C(O_APPEND); C(O_DIRECTORY); C(O_NOFOLLOW); C(O_NONBLOCK); C(O_CLOEXEC);
            C(EPOLL_CTL_ADD); C(EPOLL_CTL_DEL); C(EPOLL_CTL_MOD); C(EPOLLIN); C(EPOLLOUT); C(EPOLLERR); C(EPOLLHUP); C(EPOLLRDHUP); C((unsigned)EPOLLET);
            C(SIGHUP); C(SIGINT); C(SIGKILL); C(SIGTERM);
            C(LOG_PID); C(LOG_NDELAY); C(LOG_MAIL); C(LOG_CRIT); C(LOG_ERR); C(LOG_WARNING); C(LOG_INFO); C(LOG_DEBUG);
            C(LOCK_SH); C(LOCK_EX); C(LOCK_NB); C(LOCK_UN);
            C(RLIMIT_NOFILE); C(WNOHANG); C(PR_SET_NAME); C(PR_SET_NO_NEW_PRIVS); C(RENAME_NOREPLACE); C(PRIO_PROCESS);
            C(POSIX_SPAWN_SETPGROUP); C(POSIX_SPAWN_SETSIGDEF); C(POSIX_SPAWN_SETSIGMASK); C(POSIX_SPAWN_SETSID);
            return 0;
        }
        """;

    private static readonly Lazy<Dictionary<string, long>?> Values = new(Compile);

    /// <summary>Why the values cannot be had (no C compiler), or null when they can.</summary>
    public static string? Unavailable => Values.Value is null ? "no C compiler (cc) with glibc headers" : null;

    public static long Get(string name) =>
        Values.Value!.TryGetValue(name, out long v) ? v : throw new KeyNotFoundException(name);

    private static Dictionary<string, long>? Compile()
    {
        string dir = Path.Combine(Path.GetTempPath(), "smtpd-cheaders-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(dir);
        try
        {
            File.WriteAllText(Path.Combine(dir, "layout.c"), Program);
            if (Run("cc", $"-o {dir}/layout {dir}/layout.c", out _) != 0)
            {
                return null;
            }

            if (Run(Path.Combine(dir, "layout"), string.Empty, out string output) != 0)
            {
                return null;
            }

            var values = new Dictionary<string, long>();
            foreach (string line in output.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                int space = line.LastIndexOf(' ');
                values[line[..space]] = long.Parse(line[(space + 1)..], CultureInfo.InvariantCulture);
            }

            return values;
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static int Run(string file, string args, out string output)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        output = p.StandardOutput.ReadToEnd();
        _ = p.StandardError.ReadToEnd();
        p.WaitForExit();
        return p.ExitCode;
    }
}
