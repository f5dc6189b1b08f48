// The privilege drop every role performs when the daemon runs as root, in the order that
// leaves no way back: chroot, chdir("/"), supplementary groups, gid, uid, then no_new_privs.
// The glibc wrappers change the credentials of every thread, not only the calling one.
// Behaviour reference: usr.sbin/smtpd/queue.c queue(), control.c control().
using Smtpd.Interop;

namespace Smtpd.Runtime;

internal static class Privileges
{
    public static void Drop(PasswdEntry user, string? chrootDir)
    {
        if (chrootDir is not null)
        {
            Posix.Chroot(chrootDir);
            Posix.Chdir("/");
        }

        Posix.SetGroups([user.Gid]);
        Posix.SetResGid(user.Gid);
        Posix.SetResUid(user.Uid);
        Posix.SetNoNewPrivs();

        // Proves the drop took: a process that can still become root must not go on.
        if (Posix.GetEUid() == 0 || Posix.GetUid() == 0 || Posix.GetEGid() != user.Gid)
        {
            Log.FatalX("cannot drop privileges");
        }
    }

    /// <summary>Looks up a privilege-separation user, or stops with a message that says how to fix it.</summary>
    public static PasswdEntry RequireUser(string name)
    {
        var user = Posix.GetPwNam(name);
        if (user is null)
        {
            Log.FatalX($"unknown user {name}: create it (make install, or the distribution package, does) or run smtpd as a non-root user");
        }

        return user;
    }
}
