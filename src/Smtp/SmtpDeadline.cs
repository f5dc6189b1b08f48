// The session's deadline: the caller's token (the host's idle timeout) plus a deadline the
// session moves at each phase: each command line must be complete within command-timeout of the
// previous one, the whole message within data-timeout of the 354. A client that keeps the
// connection alive by trickling a byte at a time is cut off all the same.
namespace Smtpd.Smtp;

internal sealed class SmtpDeadline : IDisposable
{
    private readonly CancellationTokenSource _cts;
    private readonly CancellationTokenRegistration _outer;

    public SmtpDeadline(TimeProvider time, CancellationToken outer)
    {
        _cts = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
        _outer = outer.Register(static s => ((CancellationTokenSource)s!).Cancel(), _cts);
    }

    /// <summary>Cancelled at the deadline, or when the caller's token is.</summary>
    public CancellationToken Token => _cts.Token;

    /// <summary>Moves the deadline to <paramref name="timeout"/> from now.</summary>
    public void Arm(TimeSpan timeout)
    {
        if (!_cts.IsCancellationRequested)
        {
            _cts.CancelAfter(timeout);
        }
    }

    public void Dispose()
    {
        _outer.Dispose();
        _cts.Dispose();
    }
}
