// The ESMTP parameters of one RCPT TO: DSN NOTIFY= and ORCPT= (RFC 3461).
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (smtp_tx_rcpt_to)
using Smtpd.Mime;

namespace Smtpd.Smtp;

internal sealed record RcptToParameters(DsnNotify Notify, string Orcpt)
{
    public static readonly RcptToParameters Empty = new(DsnNotify.None, string.Empty);
}
