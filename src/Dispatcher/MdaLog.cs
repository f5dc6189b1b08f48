// The delivery log line, byte-compatible with OpenSMTPD's mda_log():
// "<session> mda delivery evpid=... from=<...> to=<...> rcpt=<...> user=... delay=... result=... stat=...".
// Behaviour reference: usr.sbin/smtpd/mda.c mda_log(), to.c duration_to_text().
using System.Globalization;
using System.Text;
using Smtpd.Ipc.Messages;

namespace Smtpd.Dispatcher;

internal static class MdaLog
{
    public static string Delivery(ulong session, DeliveryRequest r, DeliveryOutcome o, long now)
    {
        string result = o.Status switch
        {
            0 => "Ok",
            1 => "TempFail",
            3 => "Loop",
            _ => "PermFail",
        };
        string stat = o.Status == 0 ? "Delivered" : "Error (" + o.ErrorLine + ")";
        return string.Create(CultureInfo.InvariantCulture, $"{session:x16} mda delivery evpid={r.EvpId:x16} from=<{r.Sender}> to=<{r.Dest}> rcpt=<{r.Rcpt}> user={r.User} delay={Duration(now - r.Creation)} result={result} stat={stat}");
    }

    /// <summary>duration_to_text: "0s", "1h4m34s", "2d3h"; negative durations get a leading '-'.</summary>
    public static string Duration(long seconds)
    {
        if (seconds == 0)
        {
            return "0s";
        }

        var sb = new StringBuilder();
        if (seconds < 0)
        {
            sb.Append('-');
            seconds = -seconds;
        }

        long s = seconds % 60;
        long m = seconds / 60 % 60;
        long h = seconds / 3600 % 24;
        long d = seconds / 86400;
        if (d > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{d}d");
        }

        if (h > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{h}h");
        }

        if (m > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{m}m");
        }

        if (s > 0)
        {
            sb.Append(CultureInfo.InvariantCulture, $"{s}s");
        }

        return sb.ToString();
    }
}
