// The one privileged step of local delivery (mail.local's job): the system mail spool is not
// writable by users, so the parent, as root, makes sure /var/mail/<user> exists, owned by the user
// and private, before a helper running as that user appends to it. Everything is done by
// descriptor: the spool directory is opened once, the mailbox is created below it with openat
// (never following a link, never opening a FIFO for long), checked with fstat and handed over with
// fchown, so a name swapped in the spool at any moment cannot make root create, open or give away
// another file. An existing mailbox is left alone: the helper, as the user, checks what it opens.
// Nothing else is ever created by root: a file named in a .forward or an alias is the delivery
// user's business from start to end (OpenSMTPD runs mail.mboxfile as that user).
// Behaviour reference: usr.sbin/smtpd/mda_mbox.c mda_mbox_init(), mail.local(8).
using Smtpd.Interop;

namespace Smtpd.Mda;

internal static class MboxSpool
{
    public const string Directory = "/var/mail";

    private const Errno Enxio = (Errno)6;

    /// <summary>
    /// Creates <paramref name="user"/>'s mailbox in <paramref name="spool"/> if missing.
    /// Returns null when it exists or was made, else why not (for the log; the delivery that
    /// follows fails on its own when the mailbox is unusable).
    /// </summary>
    public static string? EnsureMailbox(string user, uint uid, uint gid, string spool = Directory)
    {
        // A user name is one path component: no separator, nothing that names a directory.
        if (user.Length == 0 || user.Contains('/') || user is "." or "..")
        {
            return $"{spool}/{user}: not a valid mailbox name";
        }

        var err = Posix.TryOpenDirectory(spool, out var dir);
        if (err != Errno.None)
        {
            return $"{spool}: {Posix.StrError(err)}";
        }

        using (dir)
        {
            // O_NONBLOCK: a FIFO planted under the name must not hold the parent up (ENXIO, or
            // EEXIST anyway with O_EXCL); O_NOFOLLOW as well, though O_EXCL already refuses links.
            err = Posix.TryOpenAt(dir!, user, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW | Libc.O_NONBLOCK, 0b110_000_000, out var fd);
            if (err is Errno.EEXIST)
            {
                return null;
            }

            if (err != Errno.None)
            {
                return $"{spool}/{user}: {Posix.StrError(err == Enxio ? Errno.EEXIST : err)}";
            }

            using (fd)
            {
                if (Posix.TryStatus(fd!, out var st) != Errno.None || !st.IsRegular || st.Nlink != 1)
                {
                    return $"{spool}/{user}: not a regular file";
                }

                err = Posix.TryFChown(fd!, uid, gid);
                if (err == Errno.None)
                {
                    err = Posix.TryFChmod(fd!, 0b110_000_000);
                }

                return err == Errno.None ? null : $"{spool}/{user}: {Posix.StrError(err)}";
            }
        }
    }
}
