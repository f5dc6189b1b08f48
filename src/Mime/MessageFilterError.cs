// Why the incoming-message filter stopped taking lines (OpenSMTPD's TX_ERROR_*).
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (smtp_tx_dataline)
namespace Smtpd.Mime;

internal enum MessageFilterError
{
    None,

    /// <summary>The message already carries MaxHops Received fields (reply 500 5.4.6 Loop detected).</summary>
    Loop,

    /// <summary>The header does not parse (reply 550 5.7.0 Message is malformed, or the session's text).</summary>
    Malformed,
}
