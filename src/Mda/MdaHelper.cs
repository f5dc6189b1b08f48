// `smtpd -x mda`: the child half of OpenSMTPD's forkmda(). Started by the parent with the message
// on stdin and a socket to the parent at fd 3; reads one job, becomes the recipient user (when
// started as root) before it opens anything, delivers, answers with the outcome and exits with
// the matching status (0, 75 temporary, 1 permanent).
// Behaviour reference: usr.sbin/smtpd/smtpd.c forkmda(), mda_unpriv.c.
using Smtpd.Interop;
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;

namespace Smtpd.Mda;

internal static class MdaHelper
{
    public static int Run()
    {
        using var parent = new ImsgChannel(new SafeFd(3), "parent", inboundCapacity: 4);
        parent.Start();
        MdaJob job;
        try
        {
            var inbound = parent.Inbound;
            if (!inbound.WaitToReadAsync().AsTask().GetAwaiter().GetResult() || !inbound.TryRead(out var msg))
            {
                return MdaResult.ExitTempFail;
            }

            using (msg)
            {
                job = msg.Read<MdaJob>();
            }
        }
        catch (ImsgFormatException)
        {
            return MdaResult.ExitTempFail;
        }

        MdaResult result;
        try
        {
            if (job.DropPrivileges && job.Method == MdaJob.Mbox)
            {
                // The mail spool (/var/mail) is not writable by users: the mailbox is created
                // here, as root, owned by the user, before the helper becomes that user.
                MboxSpool.EnsureMailbox(job);
            }

            if (job.DropPrivileges)
            {
                // Become the user before touching the mailbox: a delivery can never write
                // where the user could not.
                Posix.SetGroups([job.Gid]);
                Posix.SetResGid(job.Gid);
                Posix.SetResUid(job.Uid);
            }

            try
            {
                Posix.Chdir(job.Home);
            }
            catch (PosixException)
            {
                Posix.Chdir("/");
            }

            result = DeliverAsync(job).GetAwaiter().GetResult();
        }
        catch (PosixException e)
        {
            result = MdaResult.TempFail(e.Message);
        }

        byte status = result.Kind switch
        {
            MdaResultKind.Ok => 0,
            MdaResultKind.TempFail => 1,
            _ => 2,
        };
        parent.PostAs(ImsgType.MdaDone, new DeliveryOutcome(job.EvpId, status, result.IsOk ? "Delivered" : result.Reason));
        parent.Flush(TimeSpan.FromSeconds(10));
        return result.ExitCode;
    }

    private static async Task<MdaResult> DeliverAsync(MdaJob job)
    {
        var ctx = Variables(job);
        if (!MdaVariables.TryExpand(job.Argument, ctx, out string argument, out var error))
        {
            return MdaResult.PermFail($"could not expand \"{job.Argument}\": {error}");
        }

        using var message = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(0, ownsHandle: false), FileAccess.Read, 64 * 1024);
        switch (job.Method)
        {
            case MdaJob.Maildir:
                return await new MaildirDelivery(argument, job.MethodOption, job.Subaddress.Length > 0 ? job.Subaddress : null, job.Hostname).DeliverAsync(message);
            case MdaJob.Mbox:
                return await new MboxDelivery(argument).DeliverAsync(message, job.Sender, DateTimeOffset.Now);
            case MdaJob.Command:
                return CommandDelivery.Run(argument, job, ctx);
            case MdaJob.Lmtp:
                // mail.lmtp refuses to run as root; a delivery that did not drop privileges
                // (the recipient is root) fails the same way rather than talk LMTP as root.
                if (Posix.IsRoot)
                {
                    return MdaResult.TempFail("may not be executed as root");
                }

                // RCPT TO is the user name (mail.lmtp -u, $USER), or with rcpt-to the expanded
                // recipient address (-r, $RECIPIENT); MAIL FROM is "" for the null sender.
                return await new LmtpDelivery(argument, job.Sender, job.MethodOption ? job.Dest : job.UserName).DeliverAsync(message);
            default:
                return MdaResult.TempFail("delivery method not supported yet");
        }
    }

    private static MdaVariableContext Variables(MdaJob job)
    {
        static (string User, string Domain) Split(string a)
        {
            int at = a.LastIndexOf('@');
            return at < 0 ? (a, string.Empty) : (a[..at], a[(at + 1)..]);
        }

        var s = Split(job.Sender);
        var r = Split(job.Rcpt);
        var d = Split(job.Dest);
        return new MdaVariableContext
        {
            SenderUser = s.User,
            SenderDomain = s.Domain,
            RcptUser = r.User,
            RcptDomain = r.Domain,
            DestUser = d.User,
            DestDomain = d.Domain,
            UserName = job.UserName,
            UserDirectory = job.Home,
        };
    }
}
