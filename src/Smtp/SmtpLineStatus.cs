// The outcome of looking for one line in buffered input.
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (smtp_io, SMTP_LINE_MAX)
namespace Smtpd.Smtp;

internal enum SmtpLineStatus
{
    /// <summary>No line feed yet and still under the cap: nothing was consumed, wait for more.</summary>
    Incomplete,

    /// <summary>A line was returned and consumed.</summary>
    Complete,

    /// <summary>The line reaches the cap; nothing was consumed and the session must end.</summary>
    TooLong,
}
