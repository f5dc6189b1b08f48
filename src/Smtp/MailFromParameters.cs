// The ESMTP parameters of one MAIL FROM, as far as OpenSMTPD keeps them. SIZE= and AUTH= are
// accepted and ignored, as OpenSMTPD does: the size is enforced on the data actually received.
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (smtp_tx_mail_from)
using Smtpd.Mime;

namespace Smtpd.Smtp;

internal sealed record MailFromParameters(MailBody Body, DsnRet Ret, string EnvId)
{
    public static readonly MailFromParameters Empty = new(MailBody.Unspecified, DsnRet.None, string.Empty);
}
