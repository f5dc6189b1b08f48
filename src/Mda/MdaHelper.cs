// `smtpd -x mda`: the child half of OpenSMTPD's forkmda(), kept alive for more than one
// delivery. The parent starts one helper per user it delivers as, with a socket at fd 3; each job
// arrives with its message descriptor attached. Before the first job the helper becomes that user
// (when started as root) and checks that it did (PrivilegeDrop); if it cannot, it exits without
// delivering, so no helper still running as root is ever given a job. It refuses jobs for anyone
// else, so a helper never writes where its user could not. It answers every job with the outcome and exits when the parent closes the socket.
// Reusing a helper saves a process start per delivery, which was most of the CPU spent per message.
// Behaviour reference: usr.sbin/smtpd/smtpd.c forkmda(), mda_unpriv.c.
using Smtpd.Interop;
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;

namespace Smtpd.Mda;

internal static class MdaHelper
{
    private static string? s_cwd;

    public static int Run(Runtime.SmtpdOptions options)
    {
        // With -d (the parent passes it on) lines go to the daemon's stderr, else to syslog.
        Runtime.Log.Init(toStderr: options.Debug, options.Verbose);
        Runtime.Log.SetProcName("mda");
        // Set by the parent for helpers that write mail themselves (ParentMdaHelperPool). Only this
        // thread's value changes, and it is the one that delivers.
        if (int.TryParse(Environment.GetEnvironmentVariable("SMTPD_MDA_NICE"), System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int nice) && nice > 0)
        {
            _ = Posix.TrySetNice(nice);
        }

        using var parent = new ImsgBlockingPeer(new SafeFd(3), "parent");
        (uint Uid, uint Gid, bool Drop)? identity = null;
        while (true)
        {
            MdaJob job;
            SafeFd? message;
            try
            {
                using var msg = parent.Receive();
                if (msg is null)
                {
                    Runtime.GcStats.LogAtExit("mda");
                    return 0;
                }

                job = msg.Read<MdaJob>();
                message = msg.TakeFd();
            }
            catch (ImsgFormatException)
            {
                return MdaResult.ExitTempFail;
            }

            MdaResult result;
            using (message)
            {
                if (message is null)
                {
                    result = MdaResult.TempFail("no message descriptor");
                }
                else if (identity is { } id && id != (job.Uid, job.Gid, job.DropPrivileges))
                {
                    result = MdaResult.TempFail("delivery helper serves another user");
                }
                else
                {
                    if (identity is null && job.DropPrivileges && PrivilegeDrop.Become(job.Uid, job.Gid) is { } why)
                    {
                        // No answer and no further job: the parent defers the delivery when it
                        // sees the helper gone, and never hands a job to a helper that is still root.
                        Runtime.Log.Warn($"warn: mda: cannot drop privileges to {job.Uid}:{job.Gid} for evp:{job.EvpId:x16}: {why}");
                        return MdaResult.ExitOsErr;
                    }

                    identity = (job.Uid, job.Gid, job.DropPrivileges);
                    result = Run(job, message);
                }
            }

            var status = result.Kind switch
            {
                MdaResultKind.Ok => DeliveryOutcomeStatus.Ok,
                MdaResultKind.TempFail => DeliveryOutcomeStatus.TempFail,
                MdaResultKind.Loop => DeliveryOutcomeStatus.Loop,
                _ => DeliveryOutcomeStatus.PermFail,
            };
            if (!parent.SendAs(ImsgType.MdaDone, new DeliveryOutcome(job.EvpId, status, result.IsOk ? "Delivered" : result.Reason, result.SysError)))
            {
                return 0;
            }
        }
    }

    // Runs as the user already (see PrivilegeDrop): a delivery can never write where the user
    // could not. (The parent created a spool mailbox beforehand, as root.)
    private static MdaResult Run(MdaJob job, SafeFd message)
    {
        try
        {
            // Every job of a helper is for the same user: change directory when the home differs.
            if (s_cwd != job.Home)
            {
                try
                {
                    Posix.Chdir(job.Home);
                }
                catch (PosixException)
                {
                    Posix.Chdir("/");
                }

                s_cwd = job.Home;
            }

            return DeliverAsync(job, message).GetAwaiter().GetResult();
        }
        catch (PosixException e)
        {
            return MdaResult.TempFail(e.Message);
        }
    }

    private static async Task<MdaResult> DeliverAsync(MdaJob job, SafeFd messageFd)
    {
        // Maildir copies through its own 64 KiB buffer: a second one in the stream would only add a copy.
        using var spooled = new FileStream(new Microsoft.Win32.SafeHandles.SafeFileHandle(messageFd.Fd, ownsHandle: false), FileAccess.Read, job.Method == MdaMethod.Maildir ? 0 : 64 * 1024);

        // Checked before anything is expanded or run, as mda.c does before it forks.
        try
        {
            if (DeliveryLoop.Detect(spooled, job.Dest))
            {
                return MdaResult.Loop;
            }
        }
        catch (IOException e)
        {
            return MdaResult.TempFail("Error reading body: " + e.Message);
        }

        var ctx = Variables(job) with { ForPath = job.Method is MdaMethod.Maildir or MdaMethod.Mbox };
        if (!MdaVariables.TryExpand(job.Argument, ctx, out string argument, out var error))
        {
            return MdaResult.PermFail($"could not expand \"{job.Argument}\": {error}");
        }

        // Every method gets Return-Path and Delivered-To above the message (mbox below its From_ line).
        using var message = new PrefixedStream(DeliveryHeaders.Build(job.Sender, job.Rcpt), spooled);
        switch (job.Method)
        {
            case MdaMethod.Maildir:
                return await new MaildirDelivery(argument, job.MethodOption, job.Subaddress.Length > 0 ? job.Subaddress : null, job.Hostname).DeliverAsync(message);
            case MdaMethod.Mbox:
                return await new MboxDelivery(argument).DeliverAsync(message, job.Sender, DateTimeOffset.Now);
            case MdaMethod.Command:
                return CommandDelivery.Run(argument, job, ctx, message);
            case MdaMethod.Lmtp:
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
