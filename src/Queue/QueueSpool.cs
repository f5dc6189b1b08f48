// The spool's directory layout, created at start: the top 0711 root-owned, the working
// directories 0700 owned by the queue user, offline/ 0770 group queue (sendmail drops files
// there while the daemon is down). The top is marked as the top of a directory hierarchy
// (chattr +T) where the file system knows the flag: ext4 then places the working directories,
// and the message directories made in them, in block groups of their own, away from the
// inodes freed by whatever else lives on the file system (Maildirs whose mail is deleted),
// which each inode allocation in their group would have to step over.
// Behaviour reference: usr.sbin/smtpd/queue_fs.c, smtpd.c.
using Smtpd.Interop;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;

namespace Smtpd.Queue;

internal static class QueueSpool
{
    public static readonly string[] WorkDirs = ["incoming", "queue", "corrupt", "purge", "temporary"];

    public static void Prepare(SetupSettings settings)
    {
        string root = settings.QueueDir;
        if (settings.Privileged)
        {
            var q = Privileges.RequireUser(settings.QueueUser);
            Posix.EnsureDirectory(root, 0b111_001_001, 0, 0);
            _ = Posix.TryMarkTopDirectory(root);
            foreach (string d in WorkDirs)
            {
                Posix.EnsureDirectory(Path.Combine(root, d), 0b111_000_000, q.Uid, 0);
            }

            Posix.EnsureDirectory(Path.Combine(root, "offline"), 0b111_111_000, 0, q.Gid);
            return;
        }

        Posix.EnsureDirectory(root, 0b111_001_001);
        _ = Posix.TryMarkTopDirectory(root);
        foreach (string d in WorkDirs)
        {
            Posix.EnsureDirectory(Path.Combine(root, d), 0b111_000_000);
        }

        Posix.EnsureDirectory(Path.Combine(root, "offline"), 0b111_000_000);
    }
}
