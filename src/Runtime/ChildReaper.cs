// The one place the parent reaps children: a thread blocked in waitpid(-1) hands each exit status
// to whoever waits for that pid. One thread for every role and every delivery helper, instead of
// a blocked thread per child (hundreds of deliveries in flight would starve the thread pool).
using Smtpd.Interop;

namespace Smtpd.Runtime;

internal sealed class ChildReaper
{
    private readonly object _lock = new();
    private readonly Dictionary<int, TaskCompletionSource<WaitStatus>> _waiting = [];
    private readonly Dictionary<int, WaitStatus> _early = [];
    private int _registered;

    public ChildReaper()
    {
        new Thread(Loop) { IsBackground = true, Name = "reaper" }.Start();
    }

    /// <summary>Completes when <paramref name="pid"/>, a child just spawned, has exited.</summary>
    public Task<WaitStatus> WaitAsync(int pid)
    {
        TaskCompletionSource<WaitStatus> tcs;
        lock (_lock)
        {
            if (_early.Remove(pid, out var status))
            {
                return Task.FromResult(status);
            }

            if (_waiting.TryGetValue(pid, out var existing))
            {
                return existing.Task;
            }

            tcs = new TaskCompletionSource<WaitStatus>(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting[pid] = tcs;
            _registered++;
            Monitor.Pulse(_lock);
        }

        return tcs.Task;
    }

    private void Loop()
    {
        while (true)
        {
            lock (_lock)
            {
                // Nothing to wait for: waitpid would fail with ECHILD or spin; sleep until a child is registered.
                while (_registered == 0)
                {
                    Monitor.Wait(_lock);
                }
            }

            while (true)
            {
                int pid;
                int raw;
                try
                {
                    (pid, raw) = Posix.WaitAny();
                }
                catch (PosixException e) when (e.Errno == Errno.ECHILD)
                {
                    // Registered children but none to reap: someone else reaped them. Do not spin.
                    Thread.Sleep(100);
                    break;
                }

                TaskCompletionSource<WaitStatus>? tcs;
                lock (_lock)
                {
                    if (_waiting.Remove(pid, out tcs))
                    {
                        _registered--;
                    }
                    else
                    {
                        // Exited before anyone asked (a very short-lived child): keep it for them.
                        _early[pid] = new WaitStatus(raw);
                    }
                }

                tcs?.TrySetResult(new WaitStatus(raw));
                lock (_lock)
                {
                    if (_registered == 0)
                    {
                        break;
                    }
                }
            }
        }
    }
}
