// The privileged step of mbox delivery (mail.local's job): make sure the user's mailbox exists,
// owned by the user and private, without following a link someone planted in the spool.
// Behaviour reference: mail.local(8), usr.sbin/smtpd/mda_unpriv.c.
using Smtpd.Interop;
using Smtpd.Ipc.Messages;

namespace Smtpd.Mda;

internal static class MboxSpool
{
    public const string Directory = "/var/mail";

    public static void EnsureMailbox(MdaJob job)
    {
        var ctx = new MdaVariableContext { UserName = job.UserName, UserDirectory = job.Home };
        if (!MdaVariables.TryExpand(job.Argument, ctx, out string path, out _))
        {
            return;
        }

        try
        {
            using var fd = Posix.Open(path, Libc.O_WRONLY | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW, 0b110_000_000);
            Posix.Chown(path, job.Uid, job.Gid);
        }
        catch (PosixException e) when (e.Errno == Errno.EEXIST)
        {
            // An existing mailbox is the user's business; the delivery itself checks what it opens.
        }
    }
}
