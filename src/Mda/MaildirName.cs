// Unique file names for maildir deliveries, in the usual "time.unique.host" shape: seconds, then
// microseconds, pid and a per-process counter (M…P…Q…), then the host name with the two characters
// a maildir name cannot hold ('/' and ':') written as octal escapes, as the maildir spec asks.
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
        long seconds = now.ToUnixTimeSeconds();
        long micros = (now.ToUnixTimeMilliseconds() % 1000 * 1000) + (now.Ticks / 10 % 1000);
        return string.Create(CultureInfo.InvariantCulture, $"{seconds}.M{micros}P{pid}Q{seq}.{EscapeHost(host)}");
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
