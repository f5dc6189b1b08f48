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
    // Userbase tables, built on the first delivery to a virtual user.
    private Tables.TableSet? _userbase;
    private MdaHelperPool? _helperPool;

    private MdaHelperPool Helpers => _helperPool ??= new MdaHelperPool(_reaper);

    private async Task DeliverAsync(ImsgChannel dispatcher, DeliveryRequest req, SafeFd? message)
    {
        DeliveryOutcome outcome;
        outcome = message is null
            ? new DeliveryOutcome(req.EvpId, 1, "no message descriptor")
            : await RunHelperAsync(req, message);

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

    /// <summary>Hands the job and <paramref name="message"/> (which it takes) to a helper for the user.</summary>
    private Task<DeliveryOutcome> RunHelperAsync(DeliveryRequest req, SafeFd message)
    {
        var job = Job(req, out string? error, out byte status);
        if (job is null)
        {
            message.Dispose();
            return Task.FromResult(new DeliveryOutcome(req.EvpId, status, error!));
        }

        if (job.Value.DropPrivileges && job.Value.Method == MdaJob.Mbox)
        {
            // The mail spool (/var/mail) is not writable by users: the mailbox is created here,
            // as root and owned by the user, before a helper running as that user appends to it.
            Mda.MboxSpool.EnsureMailbox(job.Value);
        }

        return Helpers.DeliverAsync(job.Value, message);
    }

    /// <summary>The helper's job for <paramref name="req"/>, or null with the failure (1 temporary, 2 permanent).</summary>
    private MdaJob? Job(DeliveryRequest req, out string? error, out byte status)
    {
        error = null;
        status = 0;
        var action = _model.Actions.FirstOrDefault(a => a.Name == req.Dispatcher);
        if (action is null)
        {
            (error, status) = ($"missing dispatcher \"{req.Dispatcher}\"", 1);
            return null;
        }

        var pw = LookupDeliveryUser(action, req.User);
        if (pw is null)
        {
            (error, status) = ($"user \"{req.User}\" does not exist", 2);
            return null;
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
            (error, status) = ($"action \"{action.Name}\" cannot deliver locally", 2);
            return null;
        }

        // Relative maildir paths are below the user's home, as "~/Maildir" is.
        if (method == MdaJob.Maildir && argument.StartsWith("~/", StringComparison.Ordinal))
        {
            argument = "%{user.directory}" + argument[1..];
        }

        // MdaJob's one option flag: junk filing for maildir, rcpt-to for lmtp.
        bool option = method == MdaJob.Lmtp ? action.LmtpRcptTo : action.Junk;
        return new MdaJob(req.EvpId, method, argument, option, pw.Name, pw.Uid, pw.Gid, pw.Directory, Posix.IsRoot, req.Sender, req.Rcpt, req.Dest, req.Subaddress, _settings.Hostname);
    }
}
