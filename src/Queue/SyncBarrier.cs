// Group commit: one syncfs(2) for every commit that is waiting at that moment. A commit's own
// writes must be on disk, so a caller never rides on a round that was already running when it
// arrived (that round may have started before its writes); it waits for the next one, which
// every caller arriving during the running round shares. Under load this turns the five
// per-message fsyncs of a commit into two flushes per batch of messages.
using Smtpd.Interop;

namespace Smtpd.Queue;

internal sealed class SyncBarrier(Func<Errno> sync)
{
    private readonly object _lock = new();
    private readonly Func<Errno> _sync = sync;
    private long _started;
    private long _completed;
    private long _lastFailedRound;
    private Errno _lastError;
    private bool _running;

    private int _waiting;

    /// <summary>Rounds run so far.</summary>
    public long Rounds => Interlocked.Read(ref _completed);

    /// <summary>Callers blocked behind a running round.</summary>
    public int Waiting => Volatile.Read(ref _waiting);

    /// <summary>
    /// Blocks until a sync that started after this call has finished. A failure of that round, or
    /// of any round after it, is reported: being wrong that way only costs the client a retry.
    /// </summary>
    public Errno Sync()
    {
        Monitor.Enter(_lock);
        try
        {
            long target = _started + 1;
            while (_completed < target)
            {
                if (_running)
                {
                    _waiting++;
                    Monitor.Wait(_lock);
                    _waiting--;
                    continue;
                }

                _running = true;
                long round = ++_started;
                Errno e;
                Monitor.Exit(_lock);
                try
                {
                    e = _sync();
                }
                catch (Exception)
                {
                    e = Errno.EIO;
                }
                finally
                {
                    Monitor.Enter(_lock);
                }

                _running = false;
                _completed = round;
                if (e != Errno.None)
                {
                    _lastFailedRound = round;
                    _lastError = e;
                }

                Monitor.PulseAll(_lock);
            }

            return _lastFailedRound >= target ? _lastError : Errno.None;
        }
        finally
        {
            Monitor.Exit(_lock);
        }
    }
}
