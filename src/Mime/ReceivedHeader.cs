// The lines smtpd puts in front of every message it accepts: "X-Spam: Yes" for junked sessions,
// then the Received: trace field, in OpenSMTPD's exact layout (LF line ends, as spooled).
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (smtp_message_begin), to.c (ss_to_text)
using System.Globalization;
using System.Text;

namespace Smtpd.Mime;

internal static class ReceivedHeader
{
    public static string Format(ReceivedInfo info)
    {
        ArgumentNullException.ThrowIfNull(info);
        var sb = new StringBuilder(256);
        if (info.Junk)
        {
            sb.Append("X-Spam: Yes\n");
        }

        sb.Append("Received: ");
        if (!info.MaskSource)
        {
            // IPv4 and IPv6 both end up in brackets: ss_to_text brackets IPv6 itself.
            string address = info.Address is null ? "local" : info.Address.ToString();
            sb.Append("from ").Append(info.Helo).Append(" (").Append(info.Rdns).Append(" [").Append(address).Append("])");
        }

        sb.Append("\n\tby ").Append(info.SmtpName).Append(" (").Append(info.Software).Append(") with ")
            .Append(info.Esmtp ? "E" : "").Append("SMTP").Append(info.Secure ? "S" : "").Append(info.Authenticated ? "A" : "")
            .Append(" id ").Append(info.MsgId.ToString("x8", CultureInfo.InvariantCulture));

        if (info.Secure)
        {
            sb.Append(" (").Append(info.TlsVersion).Append(':').Append(info.TlsCipher).Append(':')
                .Append(info.TlsCipherBits.ToString(CultureInfo.InvariantCulture)).Append(':')
                .Append(info.TlsVerified ? "YES" : "NO").Append(')');
            if (info.ReceivedAuth)
            {
                bool authed = !string.IsNullOrEmpty(info.UserName);
                sb.Append(" auth=").Append(authed ? "yes" : "no");
                if (authed)
                {
                    sb.Append(" user=").Append(info.UserName);
                }
            }
        }

        if (info.SingleRecipient is { } rcpt)
        {
            sb.Append("\n\tfor <").Append(rcpt).Append('>');
        }

        sb.Append(";\n\t").Append(MessageDate.Format(info.Time)).Append('\n');
        return sb.ToString();
    }
}
