// A child process the parent may have to kill. The parent's reaper collects exit statuses on its
// own thread, so by the time the parent decides to kill a helper, the helper may already be
// reaped and its pid given to an unrelated process, which kill(pid) would hit, as root. A
// process descriptor (pidfd) names the process itself: opened right after the spawn, while the
// child cannot have been waited for yet, it can only ever signal that child. Kernels without
// pidfds (before 5.3) fall back to kill(pid), and only while the reaper has not reported the exit.
using Smtpd.Interop;

namespace Smtpd.Parent;

internal sealed class ChildHandle : IDisposable
{
    private readonly SafeFd? _pidfd;

    // The kernel has no pidfds: kill(pid) is all there is.
    private readonly bool _noPidfds;

    private ChildHandle(int pid, SafeFd? pidfd, bool noPidfds, Task<WaitStatus> exit)
    {
        Pid = pid;
        _pidfd = pidfd;
        _noPidfds = noPidfds;
        Exit = exit;
    }

    public int Pid { get; }

    /// <summary>Completes when the reaper has collected the child.</summary>
    public Task<WaitStatus> Exit { get; }

    /// <summary>Wraps <paramref name="pid"/>, a child just spawned whose exit is <paramref name="exit"/>.</summary>
    public static ChildHandle Open(int pid, Task<WaitStatus> exit)
    {
        // ESRCH: gone and reaped already, so there is nothing to signal, ever.
        var err = Posix.TryPidfdOpen(pid, out var pidfd);
        return new ChildHandle(pid, pidfd, err == Errno.ENOSYS, exit);
    }

    /// <summary>Sends <paramref name="signal"/> to the child if it is still that child.</summary>
    public void Kill(int signal)
    {
        if (_pidfd is not null)
        {
            // ESRCH once it has exited: nothing else can be behind the descriptor.
            _ = Posix.TryPidfdSignal(_pidfd, signal);
            return;
        }

        if (_noPidfds && !Exit.IsCompleted)
        {
            // No pidfds on this kernel: the narrow race between the reaper's waitpid and its report remains.
            _ = Posix.Kill(Pid, signal);
        }
    }

    public void Dispose() => _pidfd?.Dispose();
}
