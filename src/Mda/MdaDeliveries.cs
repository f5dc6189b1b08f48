// Local deliveries, the dispatcher's part (OpenSMTPD's mda.c, hosted by the dispatcher as there):
// deliveries the queue starts wait for a slot (MdaLimiter), their user is looked up by the lka
// (IMSG_MDA_LOOKUP_USERINFO; kept while the user has deliveries in progress, OpenSMTPD's
// mda_user), the message is opened by the queue, and the parent runs the delivery as that user
// (ParentMda, then a helper: MdaHelper). Each delivery's end is logged and reported to the queue.
// Touched only on the dispatcher's loop.
// Behaviour reference: usr.sbin/smtpd/mda.c (mda_imsg, mda_user, mda_done, mda_log).
using Smtpd.Interop;
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;

namespace Smtpd.Mda;

internal sealed class MdaDeliveries
{
    private readonly ImsgChannel _lka;
    private readonly ImsgChannel _queue;
    private readonly ImsgChannel _parent;
    private readonly ImsgRequests<ImsgReply> _requests;
    private readonly Func<uint, Task<SafeFd?>> _openMessage;
    private readonly Func<ulong> _newSessionId;
    private readonly MdaLimiter<DeliveryRequest> _limiter;

    // Deliveries in progress; HoldsUser: the delivery counts in _users (its user was found).
    private readonly Dictionary<ulong, (DeliveryRequest Request, ulong SessionId, bool HoldsUser)> _deliveries = [];

    // Users the lookup agent found, kept while they have deliveries in progress (OpenSMTPD's
    // mda_user): a burst of mail to one user costs one lookup, and the next burst asks again.
    private readonly Dictionary<(string Dispatcher, string User), (LkaUserinfoReply Info, int Deliveries)> _users = [];

    /// <param name="lka">Answers the userinfo lookups.</param>
    /// <param name="queue">Learns how each delivery ended.</param>
    /// <param name="parent">Runs the deliveries.</param>
    /// <param name="requests">The dispatcher's request table (the lka's replies complete it).</param>
    /// <param name="openMessage">Opens a queued message read-only; null when it cannot.</param>
    /// <param name="newSessionId">The id a delivery's log lines carry.</param>
    /// <param name="limiter">How many deliveries run at once.</param>
    public MdaDeliveries(ImsgChannel lka, ImsgChannel queue, ImsgChannel parent, ImsgRequests<ImsgReply> requests,
        Func<uint, Task<SafeFd?>> openMessage, Func<ulong> newSessionId, MdaLimiter<DeliveryRequest> limiter)
    {
        _lka = lka;
        _queue = queue;
        _parent = parent;
        _requests = requests;
        _openMessage = openMessage;
        _newSessionId = newSessionId;
        _limiter = limiter;
    }

    /// <summary>A delivery the queue starts (IMSG_QUEUE_DELIVER): it runs now or waits for a slot.</summary>
    public void Add(DeliveryRequest req)
    {
        _deliveries[req.EvpId] = (req, _newSessionId(), false);
        Start(_limiter.Add(req.User, req));
    }

    /// <summary>A delivery ended (in the parent's helper, or here when its user was not found): log it, tell the queue, start the next.</summary>
    public void Done(DeliveryOutcome outcome)
    {
        if (_deliveries.Remove(outcome.EvpId, out var d))
        {
            if (d.HoldsUser)
            {
                Release((d.Request.Dispatcher, d.Request.User));
            }

            Start(_limiter.Done(d.Request.User));
            Log.Info(LogLine(d.SessionId, d.Request, outcome));
        }

        _queue.PostAs(ImsgType.QueueDeliveryResult, outcome);
    }

    private void Start(List<DeliveryRequest> ready)
    {
        foreach (var req in ready)
        {
            _ = DeliverAsync(req);
        }
    }

    /// <summary>
    /// Asks the lookup agent who the delivery's user is, then the queue for the message, and
    /// hands the delivery to the parent with both; a user the userbase does not know fails
    /// here, without a helper, and a message that cannot be opened (or whose descriptor could
    /// not be received) fails temporarily.
    /// </summary>
    private async Task DeliverAsync(DeliveryRequest req)
    {
        var key = (req.Dispatcher, req.User);
        LkaUserinfoReply user = _users.TryGetValue(key, out var known) ? known.Info : await LookupUserAsync(req);
        switch (user.Status)
        {
            case UserinfoStatus.Found:
                if (_deliveries.TryGetValue(req.EvpId, out var d))
                {
                    _users[key] = (_users.TryGetValue(key, out var held) ? held.Info : user, held.Deliveries + 1);
                    _deliveries[req.EvpId] = d with { HoldsUser = true };
                }

                var fd = await _openMessage((uint)(req.EvpId >> 32));
                if (fd is null)
                {
                    Done(new DeliveryOutcome(req.EvpId, DeliveryOutcomeStatus.TempFail, "Temporary failure: cannot open message"));
                    break;
                }

                _parent.PostAs(ImsgType.MdaDeliver, new MdaDelivery(req, user.Name, user.Uid, user.Gid, user.Directory), fd: fd);
                break;
            case UserinfoStatus.NotFound:
                Done(new DeliveryOutcome(req.EvpId, DeliveryOutcomeStatus.PermFail, $"user \"{req.User}\" does not exist"));
                break;
            default:
                Done(new DeliveryOutcome(req.EvpId, DeliveryOutcomeStatus.TempFail, "Temporary failure in user lookup"));
                break;
        }
    }

    private async Task<LkaUserinfoReply> LookupUserAsync(DeliveryRequest req)
    {
        var (id, task) = _requests.Start();
        _lka.Post(new LkaUserinfoLookup(id, req.Dispatcher, req.User));
        var (reply, _) = await task;
        try
        {
            return reply.Read<LkaUserinfoReply>();
        }
        catch (ImsgFormatException e)
        {
            Log.FatalX($"mda_imsg: malformed userinfo reply: {e.Message}");
            throw;
        }
    }

    /// <summary>One delivery fewer for the user; the last one forgets the user, so the next burst looks it up again.</summary>
    private void Release((string Dispatcher, string User) key)
    {
        var held = _users[key];
        if (held.Deliveries <= 1)
        {
            _users.Remove(key);
        }
        else
        {
            _users[key] = (held.Info, held.Deliveries - 1);
        }
    }

    private static string LogLine(ulong sessionId, DeliveryRequest r, DeliveryOutcome outcome)
    {
        var result = outcome.Status switch
        {
            DeliveryOutcomeStatus.Ok => MdaResult.Ok,
            DeliveryOutcomeStatus.TempFail => MdaResult.TempFail(outcome.ErrorLine) with { SysError = outcome.SysError },
            DeliveryOutcomeStatus.Loop => MdaResult.Loop,
            _ => MdaResult.PermFail(outcome.ErrorLine) with { SysError = outcome.SysError },
        };
        var delay = TimeSpan.FromSeconds(Math.Max(0, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - r.Creation));
        return MdaLog.Delivery(sessionId, r.EvpId, r.Sender, r.Dest, r.Rcpt, r.User, delay, result);
    }
}
