// The two lines every local delivery puts above the message: where bounces go (Return-Path) and
// which address it was delivered for (Delivered-To). The Delivered-To line is what a later
// delivery of the same message checks to notice a loop (DeliveryLoop).
// Behaviour reference: usr.sbin/smtpd/mda.c (IMSG_MDA_OPEN_MESSAGE: the delivery headers).
using System.Text;

namespace Smtpd.Mda;

internal static class DeliveryHeaders
{
    /// <summary>
    /// "Return-Path: &lt;sender&gt;\nDelivered-To: rcpt\n", in the queue's Unix line ends. The
    /// recipient is the one the client gave in RCPT TO, before aliases and forwards. Mail from the
    /// null sender (bounces), or from an address without a user or a domain part, gets no
    /// Return-Path: OpenSMTPD writes it only for a full user@domain.
    /// </summary>
    public static byte[] Build(string sender, string rcpt)
    {
        var sb = new StringBuilder(40 + sender.Length + rcpt.Length);
        if (IsFullAddress(sender))
        {
            sb.Append("Return-Path: <").Append(sender).Append(">\n");
        }

        sb.Append("Delivered-To: ").Append(rcpt).Append('\n');
        return Encoding.UTF8.GetBytes(sb.ToString());
    }

    private static bool IsFullAddress(string address)
    {
        int at = address.LastIndexOf('@');
        return at > 0 && at < address.Length - 1;
    }
}
