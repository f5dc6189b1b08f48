// Local deliveries, the parent's part: resolve the action and the user to run as (the userinfo
// the dispatcher got from the lookup agent, or the action's own `user`), start a delivery helper
// (`smtpd -x mda`) with the message on its stdin, and report how it ended to the dispatcher. The
// parent is the one process that may become any user; the helper drops to the recipient before
// it opens the mailbox. It looks up no tables: that is the lookup agent's work.
// Behaviour reference: usr.sbin/smtpd/smtpd.c forkmda(), parent_imsg().
using Smtpd.Config;
using Smtpd.Interop;
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;

namespace Smtpd.Parent;

internal sealed partial class ParentProcess
{
    /// <summary>A delivery helper still running after this long is killed and the attempt deferred.</summary>
    private static readonly TimeSpan MdaTimeout = TimeSpan.FromMinutes(10);

    private async Task DeliverAsync(ImsgChannel dispatcher, MdaDelivery delivery, SafeFd? message)
    {
        DeliveryOutcome outcome;
        using (message)
        {
            outcome = message is null
                ? new DeliveryOutcome(delivery.Request.EvpId, 1, "no message descriptor")
                : await RunHelperAsync(delivery, message);
        }

        dispatcher.PostAs(ImsgType.MdaDone, outcome);
    }

    /// <summary>
    /// A system user by name. The daemon's own user, which runs commands from aliases, is the
    /// caller when not started as root (every delivery runs as the caller then).
    /// </summary>
    private static PasswdEntry? SystemUser(string name) =>
        name == SmtpdUsers.Smtpd && !Posix.IsRoot ? Posix.GetPwUid(Posix.GetUid()) : Posix.GetPwNam(name);

    /// <summary>
    /// The user the helper becomes: the action's own delivery user (`user NAME`), looked up here
    /// as forkmda() does, else the one the lookup agent found in the action's userbase. Root is
    /// refused unless the delivery is to root's own mailbox (mbox, no command or file), which
    /// never runs anything as root. Null with <paramref name="refused"/> set when there is none.
    /// </summary>
    private static PasswdEntry? DeliveryUser(ActionDef action, MdaDelivery delivery, out DeliveryOutcome refused)
    {
        var req = delivery.Request;
        refused = default;
        PasswdEntry? pw;
        if (action.User is not null)
        {
            try
            {
                pw = SystemUser(action.User);
            }
            catch (PosixException e)
            {
                refused = new DeliveryOutcome(req.EvpId, 1, e.Message);
                return null;
            }

            if (pw is null)
            {
                refused = new DeliveryOutcome(req.EvpId, 2, $"delivery user '{action.User}' does not exist");
                return null;
            }
        }
        else
        {
            pw = new PasswdEntry(delivery.UserName, delivery.Uid, delivery.Gid, delivery.Directory, "/bin/sh");
        }

        if (pw.Uid == 0 && (action.Method != ActionMethod.Mbox || req.Exec.Length > 0))
        {
            refused = new DeliveryOutcome(req.EvpId, 2, $"MDA not allowed to deliver to: {delivery.UserName}");
            return null;
        }

        return pw;
    }

    private async Task<DeliveryOutcome> RunHelperAsync(MdaDelivery delivery, SafeFd message)
    {
        var req = delivery.Request;
        var action = _model.Actions.FirstOrDefault(a => a.Name == req.Dispatcher);
        if (action is null)
        {
            return new DeliveryOutcome(req.EvpId, 1, $"missing dispatcher \"{req.Dispatcher}\"");
        }

        if (DeliveryUser(action, delivery, out var refused) is not { } pw)
        {
            return refused;
        }

        (byte method, string argument) = action.Method switch
        {
            ActionMethod.Maildir => (MdaJob.Maildir, action.MaildirPath ?? "~/Maildir"),
            ActionMethod.Mbox => (MdaJob.Mbox, "/var/mail/%{user.username}"),
            ActionMethod.Mda => (MdaJob.Command, action.MdaCommand ?? string.Empty),
            ActionMethod.Lmtp => (MdaJob.Lmtp, action.LmtpDestination ?? string.Empty),
            _ => ((byte)255, string.Empty),
        };

        // A command or file named by an alias or .forward replaces the action's own method.
        if (req.Exec.Length > 0)
        {
            (method, argument) = MdaExecText.TryGetFile(req.Exec, out string file) ? (MdaJob.Mbox, file) : (MdaJob.Command, req.Exec);
        }

        if (method == 255)
        {
            return new DeliveryOutcome(req.EvpId, 2, $"action \"{action.Name}\" cannot deliver locally");
        }

        // Relative maildir paths are below the user's home, as "~/Maildir" is.
        if (method == MdaJob.Maildir && argument.StartsWith("~/", StringComparison.Ordinal))
        {
            argument = "%{user.directory}" + argument[1..];
        }

        // MdaJob's one option flag: junk filing for maildir, rcpt-to for lmtp.
        bool option = method == MdaJob.Lmtp ? action.LmtpRcptTo : action.Junk;
        var job = new MdaJob(req.EvpId, method, argument, option, pw.Name, pw.Uid, pw.Gid, pw.Directory, Posix.IsRoot, req.Sender, req.Rcpt, req.Dest, req.Subaddress, _settings.Hostname);
        var (mine, theirs) = Posix.SocketPair();
        using var devnull = Posix.Open("/dev/null", Libc.O_RDWR);
        int pid;
        try
        {
            pid = Posix.Spawn(ChildSpawner.SelfPath(), ["smtpd", "-x", "mda"], ["PATH=/usr/bin:/bin"], [(message, 0), (devnull, 1), (devnull, 2), (theirs, 3)]);
        }
        catch (PosixException e)
        {
            mine.Dispose();
            return new DeliveryOutcome(req.EvpId, 1, e.Message);
        }
        finally
        {
            theirs.Dispose();
        }

        using var helper = new ImsgChannel(mine, "mda");
        helper.Start();
        helper.Post(job);
        var exit = _reaper.WaitAsync(pid);
        if (await Task.WhenAny(exit, Task.Delay(MdaTimeout)) != exit)
        {
            Posix.Kill(pid, Libc.SIGKILL);
            await exit;
            return new DeliveryOutcome(req.EvpId, 1, "terminated; timeout");
        }

        try
        {
            if (helper.Inbound.TryRead(out var reply) || (await helper.Inbound.WaitToReadAsync() && helper.Inbound.TryRead(out reply)))
            {
                using (reply)
                {
                    return reply.ReadAs<DeliveryOutcome>();
                }
            }
        }
        catch (ImsgFormatException e)
        {
            Log.Warn($"warn: smtpd: delivery helper for evp:{req.EvpId:x16} sent garbage: {e.Message}");
        }

        var status = await exit;
        Log.Debug($"debug: smtpd: mda process done for evp:{req.EvpId:x16}: {status.Describe()}");
        return new DeliveryOutcome(req.EvpId, 1, "delivery helper " + status.Describe());
    }
}
