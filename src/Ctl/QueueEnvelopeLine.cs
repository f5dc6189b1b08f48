// One envelope as `smtpctl show queue` and mailq print it, fields separated by "|": id, the
// client's address family (local, inet4, inet6), the agent (mda, mta, bounce), flags (bounce,
// auth, internal, suspend, hold), sender, recipient, destination, creation time, expiry time,
// last try, retries, run state ("pending|<seconds until the next try>", "inflight|<seconds
// since the attempt started>", or "offline|" when read from the spool with the daemon down),
// and the last error, with unprintable characters escaped as vis(3) does.
// Behaviour reference: usr.sbin/smtpd/smtpctl.c show_queue_envelope().
using System.Globalization;
using Smtpd.Mime;
using Smtpd.Queue;

namespace Smtpd.Ctl;

internal static class QueueEnvelopeLine
{
    public static string Format(Envelope e, string runState)
    {
        var flags = new List<string>();
        if (e.Flags.HasFlag(EnvelopeFlags.Bounce))
        {
            flags.Add("bounce");
        }

        if (e.Flags.HasFlag(EnvelopeFlags.Authenticated))
        {
            flags.Add("auth");
        }

        if (e.Flags.HasFlag(EnvelopeFlags.Internal))
        {
            flags.Add("internal");
        }

        return string.Create(CultureInfo.InvariantCulture, $"{e.Id.Value:x16}|{Source(e.SockAddr)}|{Agent(e.Type)}|{string.Join(',', flags)}|{e.Sender.User}@{e.Sender.Domain}|{e.Rcpt.User}@{e.Rcpt.Domain}|{e.Dest.User}@{e.Dest.Domain}|{e.CreationTime}|{e.CreationTime + e.Ttl}|{e.LastTry}|{e.Retry}|{runState}|{Vis(e.ErrorLine)}");
    }

    /// <summary>The run state of an envelope the scheduler holds, with its flags added to the line's flag field.</summary>
    public static string Format(Envelope e, bool inFlight, bool suspended, long time, long now)
    {
        if (inFlight)
        {
            // As queue.c: the attempt's start stands in for the last try, which the file only records after a failure.
            e = e.Clone();
            e.LastTry = time;
        }

        string line = Format(e, inFlight ? $"inflight|{now - time}" : $"pending|{time - now}");
        if (!suspended)
        {
            return line;
        }

        // The flags are the fourth field: add "suspend" after the stored ones.
        var fields = line.Split('|', 5);
        fields[3] = fields[3].Length > 0 ? fields[3] + ",suspend" : "suspend";
        return string.Join('|', fields);
    }

    private static string Source(string sockaddr) =>
        sockaddr == EnvelopeSockAddr.Local ? "local"
        : sockaddr.StartsWith('[') ? "inet6"
        : sockaddr.Length > 0 ? "inet4"
        : "?";

    private static string Agent(EnvelopeType type) => type switch
    {
        EnvelopeType.Mda => "mda",
        EnvelopeType.Mta => "mta",
        EnvelopeType.Bounce => "bounce",
        _ => "?",
    };

    /// <summary>vis(3) with no flags: space, tab and newline kept, the rest escaped.</summary>
    internal static string Vis(string text) => Smtpd.Mime.Vis.Encode(text, VisFlags.None);
}
