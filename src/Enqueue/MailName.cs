// The domain sendmail gives addresses without one: the first line of /etc/mailname, else the
// host name, made fully qualified through the resolver when it has no dot.
// Behaviour reference: usr.sbin/smtpd/util.c getmailname(), parse_mailname_file().
namespace Smtpd.Enqueue;

internal static class MailName
{
    public const string MailNameFile = "/etc/mailname";

    public static string? Get(string file = MailNameFile)
    {
        try
        {
            using var reader = new StreamReader(file);
            string? first = reader.ReadLine()?.Trim();
            if (!string.IsNullOrEmpty(first))
            {
                return first;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No mailname file: the host name will do.
        }

        string host;
        try
        {
            host = System.Net.Dns.GetHostName();
        }
        catch (System.Net.Sockets.SocketException)
        {
            return null;
        }

        if (host.Contains('.', StringComparison.Ordinal))
        {
            return host;
        }

        try
        {
            string canonical = System.Net.Dns.GetHostEntry(host).HostName;
            return canonical.Length > 0 ? canonical : host;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return host;
        }
    }
}
