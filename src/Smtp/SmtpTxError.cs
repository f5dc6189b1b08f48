// Why a transaction's DATA will be refused at the final dot. The first error sticks; the rest of
// the message is read and thrown away so the client stays in sync.
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (TX_ERROR_*)
namespace Smtpd.Smtp;

internal enum SmtpTxError
{
    None = 0,
    Envelope,
    Size,
    Io,
    Loop,
    Malformed,
    Resources,
    Internal,

    /// <summary>The message filters went away before the whole message came back.</summary>
    Filter,
}
