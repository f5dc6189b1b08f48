// How hard mbox delivery tries for its locks before giving the message back as a temporary failure
// (the queue retries later, so a short wait here is better than a long one).
namespace Smtpd.Mda;

internal sealed record MboxLockOptions
{
    public int Attempts { get; init; } = 10;

    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>A dot-lock older than this is removed (liblockfile: 5 minutes).</summary>
    public TimeSpan StaleAfter { get; init; } = DotLock.DefaultStaleAfter;

    /// <summary>Treat a lock whose pid is not running as stale (right for an unshared spool).</summary>
    public bool CheckPid { get; init; }

    /// <summary>
    /// When the spool directory refuses us (Debian's /var/mail is root:mail 2775 and we run as the
    /// user), go on with the kernel locks alone instead of failing, as Postfix's local does.
    /// </summary>
    public bool DotLockMayFail { get; init; } = true;
}
