// A delivery's way out of the queue: the scheduler names an envelope, the queue loads it, opens
// the message read-only and hands both to the dispatcher; the outcome comes back here and
// removes the envelope, records the attempt for the next one, or turns it into a bounce.
// Behaviour reference: usr.sbin/smtpd/queue.c (IMSG_SCHED_ENVELOPE_DELIVER, IMSG_MDA_DELIVERY_*
// including IMSG_MDA_DELIVERY_LOOP, queue_bounce()).
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;
using Smtpd.Mime;
using Smtpd.Runtime;

namespace Smtpd.Queue;

internal sealed partial class QueueProcess
{
    // Envelopes handed out and not yet answered: their outcome needs the envelope (DSN, bounce).
    private readonly Dictionary<ulong, Envelope> _inflight = [];

    private void StartDelivery(ScheduleEntry entry)
    {
        var evpid = new EvpId(entry.EvpId);
        var load = Backend.EnvelopeLoad(evpid, out var e);
        if (!load.IsOk || e is null)
        {
            Log.Warn($"warn: queue: cannot load envelope {evpid}: {load}");
            ReportToScheduler(new DeliveryOutcome(entry.EvpId, load.Status == QueueStatus.TempFail ? DeliveryOutcomeStatus.TempFail : DeliveryOutcomeStatus.PermFail, load.ToString()));
            return;
        }

        var dispatcher = Peers[ProcRole.Dispatcher];
        if (e.Type == EnvelopeType.Mta)
        {
            // The mta asks for the message itself (QueueDeliveryOpen) once it has a session for
            // it, as local deliveries do: envelopes waiting for a route hold no descriptor.
            _inflight[e.Id.Value] = e;
            dispatcher.Post(new MtaDeliverRequest(e.Id.Value, e.Dispatcher, Text(e.Sender), e.Rcpt.ToString(), e.Dest.ToString(), e.CreationTime,
                e.DsnNotify, e.DsnRet, e.DsnEnvId, e.DsnOrcpt, e.SmtpName));
            return;
        }

        if (e.Type == EnvelopeType.Bounce)
        {
            // A bounce is written at once: its original goes along.
            var open = Backend.MessageOpenRead(evpid.MsgId, out var fd);
            if (!open.IsOk || fd is null)
            {
                Fail(e, "cannot open message: " + open);
                return;
            }

            _inflight[e.Id.Value] = e;
            dispatcher.PostAs(ImsgType.QueueBounce, BounceFor(e), fd: fd);
            return;
        }

        // A local delivery may wait for an mda slot: the dispatcher asks for the message when it
        // starts (QueueDeliveryOpen), so waiting deliveries hold no descriptor.
        _inflight[e.Id.Value] = e;
        var req = new DeliveryRequest(e.Id.Value, e.Dispatcher, Text(e.Sender), e.Rcpt.ToString(), e.Dest.ToString(), e.MdaUser, e.MdaSubaddress, e.CreationTime, e.MdaExec);
        dispatcher.PostAs(ImsgType.QueueDeliver, req);
    }

    /// <param name="outcome">How the attempt ended.</param>
    /// <param name="remoteMta">For relayed mail, the host whose reply decided it (the bounce's Remote-MTA).</param>
    private void DeliveryDone(DeliveryOutcome outcome, string remoteMta = "")
    {
        var evpid = new EvpId(outcome.EvpId);
        if (!_inflight.Remove(outcome.EvpId, out var e) && !(Backend.EnvelopeLoad(evpid, out e).IsOk && e is not null))
        {
            Log.Warn($"warn: queue: outcome for unknown envelope {evpid}");
            ReportToScheduler(outcome with { Status = DeliveryOutcomeStatus.PermFail });
            return;
        }

        switch (outcome.Status)
        {
            case DeliveryOutcomeStatus.TempFail:
                Fail(e, outcome.ErrorLine);
                return;
            case DeliveryOutcomeStatus.Ok when e.Type == EnvelopeType.Mta && (e.DsnNotify & DsnNotify.Success) != 0:
                // Relayed mail: a peer that took NOTIFY reports the delivery itself; one without
                // DSN gets the report from us, as "relayed" (RFC 3461 section 6.2.2), naming it.
                if (remoteMta.Length > 0)
                {
                    Bounce(e, BounceType.Delivered, outcome.ErrorLine, remoteMta: remoteMta);
                }

                break;
            case DeliveryOutcomeStatus.Ok when e.Type != EnvelopeType.Bounce && (e.DsnNotify & DsnNotify.Success) != 0:
                Bounce(e, BounceType.Delivered, "Delivery successful");
                break;
            case DeliveryOutcomeStatus.Ok:
                break;
            case DeliveryOutcomeStatus.Loop:
                // A loop never resolves by itself: the message is given up at once, and the
                // report names the loop with its own status, 5.4.6.
                Bounce(e, BounceType.Failed, outcome.ErrorLine, (EnhancedStatusClass.PermFail, EnhancedStatusCode.RoutingLoopDetected));
                break;
            default:
                Bounce(e, BounceType.Failed, outcome.ErrorLine, remoteMta: remoteMta);
                break;
        }

        var r = Backend.EnvelopeDelete(evpid);
        if (!r.IsOk)
        {
            Log.Warn($"warn: queue: cannot remove envelope {evpid}: {r}");
        }

        ReportToScheduler(outcome);
    }

    /// <summary>The scheduler gave up on an envelope (its ttl passed): bounce it and let it go.</summary>
    private void Expire(DeliveryOutcome outcome)
    {
        var evpid = new EvpId(outcome.EvpId);
        if (Backend.EnvelopeLoad(evpid, out var e).IsOk && e is not null)
        {
            Bounce(e, BounceType.Failed, e.ErrorLine.Length > 0 ? e.ErrorLine : "Envelope expired");
        }

        Log.Info($"{evpid} queue expire evpid={evpid} reason=\"{outcome.ErrorLine}\"");
        Backend.EnvelopeDelete(evpid);
    }

    /// <summary>The mail is late: tell the sender once per warning interval, and remember it in the envelope.</summary>
    private void DelayWarning(DelayWarning w)
    {
        var evpid = new EvpId(w.EvpId);
        if (!Backend.EnvelopeLoad(evpid, out var e).IsOk || e is null)
        {
            return;
        }

        if ((e.DsnNotify == DsnNotify.None || (e.DsnNotify & DsnNotify.Delay) != 0) && e.Type != EnvelopeType.Bounce)
        {
            e.BounceDelay = w.Delay;
            e.BounceTtl = e.Ttl;
            Bounce(e, BounceType.Delayed, e.ErrorLine);
        }

        e.LastBounce = w.Timestamp;
        var r = Backend.EnvelopeUpdate(e);
        if (!r.IsOk)
        {
            Log.Warn($"warn: could not update envelope {evpid}: {r}");
        }
    }

    /// <summary>
    /// A report to the sender, as a bounce envelope of the same message (sent later by the
    /// dispatcher). Never for a bounce, nor for the null sender, nor against the sender's NOTIFY.
    /// <paramref name="status"/>, when given, is the enhanced status the report shows, kept in the
    /// bounce envelope (esc-class, esc-code); without it the report derives one from the reason.
    /// </summary>
    private void Bounce(Envelope e, BounceType kind, string reason, (EnhancedStatusClass Class, EnhancedStatusCode Code)? status = null, string remoteMta = "")
    {
        bool wanted = kind != BounceType.Failed || e.DsnNotify == DsnNotify.None || (e.DsnNotify & DsnNotify.Failure) != 0;
        if (e.Type == EnvelopeType.Bounce || e.Sender.IsEmpty || !wanted)
        {
            Log.Debug($"debug: queue: no bounce for {e.Id} ({reason})");
            return;
        }

        Stat.Increment("queue.bounce");
        var b = e.Clone();
        b.Type = EnvelopeType.Bounce;
        b.Dest = e.Sender;
        b.BounceType = kind;
        b.ErrorLine = Sanitize(reason);
        b.Retry = 0;
        b.LastTry = 0;
        b.Flags |= EnvelopeFlags.Bounce;
        b.RemoteMta = Sanitize(remoteMta);
        (b.EscClass, b.EscCode) = status is { } esc ? ((byte)esc.Class, (byte)esc.Code) : ((byte)0, (byte)0);
        var r = Backend.EnvelopeCreate(e.Id.MsgId, b);
        if (!r.IsOk)
        {
            Log.Warn($"warn: queue: cannot create bounce for {e.Id}: {r}");
            return;
        }

        Schedule(b);
    }

    private static BounceRequest BounceFor(Envelope e) => new(
        e.Id.Value,
        e.BounceType,
        e.Dest.ToString(),
        e.Rcpt.ToString(),
        e.DsnOrcpt,
        e.ErrorLine,
        e.CreationTime,
        e.DsnRet == DsnRet.Full,
        e.DsnEnvId,
        e.BounceDelay,
        e.BounceTtl,
        StatusText(e),
        e.RemoteMta);

    /// <summary>"5.4.6" from the envelope's esc-class and esc-code, or "" when it has none (or one no report could show).</summary>
    private static string StatusText(Envelope e) =>
        (EnhancedStatusClass)e.EscClass is EnhancedStatusClass.Success or EnhancedStatusClass.TempFail or EnhancedStatusClass.PermFail
            ? new EnhancedStatus((EnhancedStatusClass)e.EscClass, (EnhancedStatusCode)e.EscCode).ToString()
            : string.Empty;

    /// <summary>A temporary failure: count the attempt and keep the reason in the envelope, for smtpctl and the next run.</summary>
    private void Fail(Envelope e, string reason)
    {
        e.Retry++;
        e.LastTry = Now;
        e.ErrorLine = Sanitize(reason);
        var r = Backend.EnvelopeUpdate(e);
        if (!r.IsOk)
        {
            Log.Warn($"warn: queue: cannot update envelope {e.Id}: {r}");
        }

        ReportToScheduler(new DeliveryOutcome(e.Id.Value, DeliveryOutcomeStatus.TempFail, reason));
    }

    /// <summary>Error lines come from remote servers and programs: no control characters may reach the envelope file.</summary>
    private static string Sanitize(string text)
    {
        string s = string.Create(text.Length, text, static (chars, t) =>
        {
            for (int i = 0; i < chars.Length; i++)
            {
                chars[i] = char.IsControl(t[i]) ? ' ' : t[i];
            }
        }).Trim();
        return s.Length > 250 ? s[..250] : s;
    }

    private static string Text(MailAddr a) => a.IsEmpty ? string.Empty : a.ToString();

    private void ReportToScheduler(DeliveryOutcome outcome) =>
        Peers[ProcRole.Scheduler].PostAs(ImsgType.SchedulerDeliveryResult, outcome);
}
