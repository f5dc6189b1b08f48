// Debian's master.cf for a private Postfix instance: the smtp listener moved to a loopback port
// and every service out of the chroot (the unpacked Postfix has no chroot tree). Shared by the
// end-to-end tests (PostfixInstance) and the TLS benchmark, which compiles this file in.
using System.Globalization;
using System.Text;

namespace Smtpd.Tests.TestSupport;

internal static class PostfixMasterCf
{
    /// <summary>Writes CONF/master.cf from PREFIX's master.cf.dist, smtp listening on 127.0.0.1:PORT.</summary>
    public static void Write(string prefix, string conf, int port)
    {
        var master = new StringBuilder();
        foreach (string line in File.ReadAllLines(Path.Combine(prefix, "usr/share/postfix/master.cf.dist")))
        {
            string[] f = line.Split((char[])[' ', '\t'], StringSplitOptions.RemoveEmptyEntries);
            if (line.Length == 0 || line.StartsWith('#') || char.IsWhiteSpace(line[0]) || f.Length < 8)
            {
                master.AppendLine(line);
                continue;
            }

            if (f[0] == "smtp" && f[1] == "inet")
            {
                f[0] = "127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture);
            }

            if (f[4] == "y")
            {
                f[4] = "n";
            }

            master.AppendLine(string.Join(' ', f));
        }

        File.WriteAllText(Path.Combine(conf, "master.cf"), master.ToString());
    }
}
