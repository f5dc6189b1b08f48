// Local deliveries, the parent's part: resolve the action and the user to run as (the userinfo
// the dispatcher got from the lookup agent, or the action's own `user`), hand the job and the
// message descriptor to a delivery helper (`smtpd -x mda`, see ParentMdaHelperPool), and report how it
// ended to the dispatcher (a refusal here carries the sysexits(3) meaning OpenSMTPD's parent gives
// it, for the log). The parent is the one process that may become any user; the helper
// drops to the recipient before it opens the mailbox. It looks up no tables: that is the lookup agent's work.
// Behaviour reference: usr.sbin/smtpd/smtpd.c forkmda(), parent_imsg().
using Smtpd.Config;
using Smtpd.Interop;
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;

namespace Smtpd.Parent;

internal sealed partial class ParentProcess
{
    private ParentMdaHelperPool? _helperPool;

    private ParentMdaHelperPool Helpers => _helperPool ??= new ParentMdaHelperPool(_reaper, _options.Debug);

    private async Task DeliverAsync(ImsgChannel dispatcher, MdaDelivery delivery, SafeFd? message)
    {
        // Whatever goes wrong here, the dispatcher hears back: an envelope it never hears about
        // would stay in flight, and hold its delivery slot, until the daemon restarts.
        var outcome = await DeliveryGuard.RunAsync(delivery.Request.EvpId, async () =>
        {
            if (message is null)
            {
                return new DeliveryOutcome(delivery.Request.EvpId, DeliveryOutcomeStatus.TempFail, "no message descriptor");
            }

            try
            {
                return await RunHelperAsync(delivery, message);
            }
            catch
            {
                // Whoever failed may not have passed the descriptor on: it is not needed any more.
                message.Dispose();
                throw;
            }
        });

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
                refused = new DeliveryOutcome(req.EvpId, DeliveryOutcomeStatus.TempFail, e.Message);
                return null;
            }

            if (pw is null)
            {
                refused = new DeliveryOutcome(req.EvpId, DeliveryOutcomeStatus.PermFail, $"delivery user '{action.User}' does not exist", Mda.SysExits.Describe(Mda.SysExits.NoUser)!);
                return null;
            }
        }
        else
        {
            pw = new PasswdEntry(delivery.UserName, delivery.Uid, delivery.Gid, delivery.Directory, "/bin/sh");
        }

        // (uid_t)-1 and (gid_t)-1 mean "leave unchanged" to setresuid/setresgid: a userbase
        // entry with them would make the helper's drop a no-op and the delivery run as root.
        if (pw.Uid == uint.MaxValue || pw.Gid == uint.MaxValue)
        {
            refused = new DeliveryOutcome(req.EvpId, DeliveryOutcomeStatus.PermFail, $"invalid uid or gid for user: {delivery.UserName}", Mda.SysExits.Describe(Mda.SysExits.NoPerm)!);
            return null;
        }

        if (pw.Uid == 0 && (action.Method != ActionMethod.Mbox || req.Exec.Length > 0))
        {
            refused = new DeliveryOutcome(req.EvpId, DeliveryOutcomeStatus.PermFail, $"MDA not allowed to deliver to: {delivery.UserName}", Mda.SysExits.Describe(Mda.SysExits.NoPerm)!);
            return null;
        }

        return pw;
    }

    /// <summary>Hands the job and <paramref name="message"/> (which it takes) to a helper for the user.</summary>
    private Task<DeliveryOutcome> RunHelperAsync(MdaDelivery delivery, SafeFd message)
    {
        if (Job(delivery, out bool spool, out var failure) is not { } job)
        {
            message.Dispose();
            return Task.FromResult(failure);
        }

        // The mail spool (/var/mail) is not writable by users: the mailbox is created here, as
        // root and owned by the user, before a helper running as that user appends to it. Only
        // the spool: a file a .forward or an alias names is created by the helper, as the user.
        if (spool && job.DropPrivileges && Mda.MboxSpool.EnsureMailbox(job.UserName, job.Uid, job.Gid) is { } why)
        {
            Log.Warn($"warn: smtpd: cannot create mailbox for evp:{job.EvpId:x16}: {why}");
        }

        return Helpers.DeliverAsync(job, message);
    }

    /// <summary>The helper's job for <paramref name="delivery"/>, or null with the failure to report.</summary>
    /// <param name="delivery">The dispatcher's request.</param>
    /// <param name="spool">The job appends to the user's mailbox in the system spool.</param>
    /// <param name="failure">Why there is no job.</param>
    private MdaJob? Job(MdaDelivery delivery, out bool spool, out DeliveryOutcome failure)
    {
        var req = delivery.Request;
        failure = default;
        spool = false;
        var action = _model.Actions.FirstOrDefault(a => a.Name == req.Dispatcher);
        if (action is null)
        {
            failure = new DeliveryOutcome(req.EvpId, DeliveryOutcomeStatus.TempFail, $"missing dispatcher \"{req.Dispatcher}\"");
            return null;
        }

        if (DeliveryUser(action, delivery, out var refused) is not { } pw)
        {
            failure = refused;
            return null;
        }

        // Relay, forward-only and expand-only actions have no local method (null).
        (MdaMethod? method, string argument) = action.Method switch
        {
            ActionMethod.Maildir => (MdaMethod.Maildir, action.MaildirPath ?? "~/Maildir"),
            ActionMethod.Mbox => (MdaMethod.Mbox, "/var/mail/%{user.username}"),
            ActionMethod.Mda => (MdaMethod.Command, action.MdaCommand ?? string.Empty),
            ActionMethod.Lmtp => (MdaMethod.Lmtp, action.LmtpDestination ?? string.Empty),
            _ => ((MdaMethod?)null, string.Empty),
        };

        // A command or file named by an alias or .forward replaces the action's own method.
        if (req.Exec.Length > 0)
        {
            (method, argument) = MdaExecText.TryGetFile(req.Exec, out string file) ? (MdaMethod.Mbox, file) : (MdaMethod.Command, req.Exec);
        }

        spool = method == MdaMethod.Mbox && req.Exec.Length == 0;
        if (method is null)
        {
            failure = new DeliveryOutcome(req.EvpId, DeliveryOutcomeStatus.PermFail, $"action \"{action.Name}\" cannot deliver locally");
            return null;
        }

        // Relative maildir paths are below the user's home, as "~/Maildir" is.
        if (method == MdaMethod.Maildir && argument.StartsWith("~/", StringComparison.Ordinal))
        {
            argument = "%{user.directory}" + argument[1..];
        }

        // MdaJob's one option flag: junk filing for maildir, rcpt-to for lmtp.
        bool option = method == MdaMethod.Lmtp ? action.LmtpRcptTo : action.Junk;
        // The helper runs with the delivery user's ids, but the %{user.*} formats, USER and the
        // LMTP recipient name the recipient, whom the lookup agent found (as mda_unpriv() expands
        // with deliver->userinfo): `user vmail` stores every recipient's mail as vmail, each in
        // their own folder.
        return new MdaJob(req.EvpId, method.Value, argument, option, delivery.UserName, pw.Uid, pw.Gid, delivery.Directory, Posix.IsRoot, req.Sender, req.Rcpt, req.Dest, req.Subaddress, _settings.Hostname);
    }
}
