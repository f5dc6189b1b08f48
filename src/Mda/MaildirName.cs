// Unique file names for maildir deliveries, "time.pid_seq.host" as the maildir spec gives them for a
// process that may deliver more than once: seconds, our pid and a per-process counter, then the host
// name with the two characters a maildir name cannot hold ('/' and ':') written as octal escapes.
// Uniqueness does not rest on the name alone: tmp/ files are created O_EXCL and new/ names are
// never overwritten, so a reused pid within the same second only costs a retry.
// Behaviour reference: usr.sbin/smtpd/mail.maildir.c (maildir_engine's filename)
using System.Globalization;
using System.Text;

namespace Smtpd.Mda;

internal static class MaildirName
{
    private static int _sequence;

    public static string Next(DateTimeOffset now, int pid, string host)
    {
        int seq = Interlocked.Increment(ref _sequence);
        return string.Create(CultureInfo.InvariantCulture, $"{now.ToUnixTimeSeconds()}.{pid}_{seq}.{EscapeHost(host)}");
    }

    public static string EscapeHost(string host)
    {
        if (host.Length == 0)
        {
            return "localhost";
        }

        var sb = new StringBuilder(host.Length);
        foreach (char c in host)
        {
            sb.Append(c switch
            {
                '/' => "\\057",
                ':' => "\\072",
                _ => c.ToString(),
            });
        }

        return sb.ToString();
    }
}
