// The outcome of one queue operation: a status, the errno behind a temporary failure, and a
// short reason for logs ("rename incoming/3fa2c901: No space left on device").
using Smtpd.Interop;

namespace Smtpd.Queue;

internal readonly record struct QueueResult(QueueStatus Status, Errno Errno = Errno.None, string? Reason = null)
{
    public static readonly QueueResult Ok = new(QueueStatus.Ok);

    public bool IsOk => Status == QueueStatus.Ok;

    public static QueueResult TempFail(Errno errno, string what) =>
        new(QueueStatus.TempFail, errno, what + ": " + Posix.StrError(errno));

    public static QueueResult NotFound(string what) => new(QueueStatus.NotFound, Errno.ENOENT, what);

    public static QueueResult Corrupt(string why) => new(QueueStatus.Corrupt, Errno.None, why);

    public static QueueResult Refused(string why) => new(QueueStatus.Refused, Errno.None, why);

    public override string ToString() => Reason is null ? Status.ToString() : Status + " (" + Reason + ")";
}
