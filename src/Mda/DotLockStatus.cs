// Outcome of one attempt at an mbox dot-lock.
namespace Smtpd.Mda;

internal enum DotLockStatus
{
    Acquired,

    /// <summary>Someone else holds a valid lock; try again later.</summary>
    Busy,

    /// <summary>The spool directory does not let us create files (a mail-group-only /var/mail, say).</summary>
    NotPermitted,

    Failed,
}
