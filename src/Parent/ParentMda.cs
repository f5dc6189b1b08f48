// Local deliveries, the parent's part: resolve the action and the user, start a delivery helper
// (`smtpd -x mda`) with the message on its stdin, and report how it ended to the dispatcher. The
// parent is the one process that may become any user; the helper drops to the recipient before
// it opens the mailbox. Behaviour reference: usr.sbin/smtpd/smtpd.c forkmda(), parent_imsg().
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

    // Userbase tables, built on the first delivery to a virtual user.
    private Tables.TableSet? _userbase;

    private async Task DeliverAsync(ImsgChannel dispatcher, DeliveryRequest req, SafeFd? message)
    {
        DeliveryOutcome outcome;
        using (message)
        {
            outcome = message is null
                ? new DeliveryOutcome(req.EvpId, 1, "no message descriptor")
                : await RunHelperAsync(req, message);
        }

        dispatcher.PostAs(ImsgType.MdaDone, outcome);
    }

    /// <summary>
    /// The user to deliver as: from the action's userbase table (virtual users) or the system. The
    /// daemon's own user, which runs commands from aliases, is the caller when not started as root.
    /// </summary>
    private PasswdEntry? LookupDeliveryUser(ActionDef action, string user)
    {
        if (action.Userbase is not null)
        {
            _userbase ??= new Tables.TableSet(_model, _settings.Hostname, []);
            var (found, value) = _userbase.Resolve(action.Userbase).Lookup(Tables.TableService.Userinfo, user);
            return found == Tables.MatchResult.Match && value is not null && Lka.UserInfo.Parse(user, value) is { } u
                ? new PasswdEntry(u.Name, u.Uid, u.Gid, u.Directory, "/bin/sh")
                : null;
        }

        if (user == SmtpdUsers.Smtpd && !Posix.IsRoot)
        {
            return Posix.GetPwUid(Posix.GetUid());
        }

        return Posix.GetPwNam(user);
    }

    private async Task<DeliveryOutcome> RunHelperAsync(DeliveryRequest req, SafeFd message)
    {
        var action = _model.Actions.FirstOrDefault(a => a.Name == req.Dispatcher);
        if (action is null)
        {
            return new DeliveryOutcome(req.EvpId, 1, $"missing dispatcher \"{req.Dispatcher}\"");
        }

        var pw = LookupDeliveryUser(action, req.User);
        if (pw is null)
        {
            return new DeliveryOutcome(req.EvpId, 2, $"user \"{req.User}\" does not exist");
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
