// At start the parent sends what sendmail left in the spool's offline/ directory while the daemon
// was down: for each file, sendmail runs again as the file's owner with the file as its input
// (its first line holds the original arguments), and the file goes once that sendmail succeeded.
// Files in offline/ are written by users, so nothing about one is trusted (CVE-2020-8793):
// it is opened without following a symbolic link and without blocking, and taken only if it is
// a regular file with a single link, whose owner and group are those seen in the directory
// (the group the directory's), whose owner is a known user, and, for an unprivileged daemon,
// ourselves. The parent never reads it: the sendmail it starts reads it after becoming its owner.
// A file still locked by the sendmail writing it is tried again a little later.
// Behaviour reference: usr.sbin/smtpd/smtpd.c offline_scan(), offline_enqueue().
using Smtpd.Interop;
using Smtpd.Runtime;

namespace Smtpd.Enqueue;

internal sealed class OfflineImport
{
    private static readonly TimeSpan RetryEvery = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan GiveUpAfter = TimeSpan.FromMinutes(10);

    private readonly string _directory;
    private readonly bool _privileged;
    private readonly IReadOnlyList<string> _environment;
    private readonly Func<int, Task<WaitStatus>> _wait;

    /// <param name="queueDir">The spool.</param>
    /// <param name="privileged">Whether we run as root and may become each file's owner.</param>
    /// <param name="controlSocket">For the sendmail we start, to find this daemon.</param>
    /// <param name="enqueueSocket">Ditto.</param>
    /// <param name="wait">Completes when a child we started exits (the parent's one reaper).</param>
    public OfflineImport(string queueDir, bool privileged, string controlSocket, string enqueueSocket, Func<int, Task<WaitStatus>> wait)
    {
        _directory = Path.Combine(queueDir, "offline");
        _privileged = privileged;
        _wait = wait;
        var env = new List<string> { "PATH=/usr/bin:/bin:/usr/sbin:/sbin", "SMTPD_SOCKET=" + controlSocket, "SMTPD_ENQUEUE_SOCKET=" + enqueueSocket };
        if (Environment.GetEnvironmentVariable("TZ") is { } tz)
        {
            env.Add("TZ=" + tz);
        }

        _environment = env;
    }

    public async Task RunAsync()
    {
        Log.Debug("debug: smtpd: scanning offline queue...");
        var started = DateTime.UtcNow;
        while (true)
        {
            bool busy = false;
            foreach (string path in Candidates())
            {
                busy |= await EnqueueAsync(path) == Outcome.Busy;
            }

            if (!busy || DateTime.UtcNow - started > GiveUpAfter)
            {
                break;
            }

            await Task.Delay(RetryEvery);
        }

        Log.Debug("debug: smtpd: offline scanning done");
    }

    private enum Outcome
    {
        Done,
        Skipped,
        Busy,
    }

    /// <summary>Regular files (by lstat: a symbolic link is skipped) directly in offline/.</summary>
    private List<string> Candidates()
    {
        try
        {
            return [.. Directory.EnumerateFileSystemEntries(_directory).Where(p => Posix.TryLStat(p) is { IsRegular: true }).Order(StringComparer.Ordinal)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.Warn($"warn: smtpd: {_directory}: {e.Message}");
            return [];
        }
    }

    private async Task<Outcome> EnqueueAsync(string path)
    {
        if (Posix.TryLStat(_directory) is not { } dir || Posix.TryLStat(path) is not { } seen)
        {
            return Outcome.Skipped;
        }

        // As offline_scan(): a file of another group was not made by sendmail.
        if (seen.Gid != dir.Gid)
        {
            return Outcome.Skipped;
        }

        Errno e = Posix.TryOpenReadNonBlocking(path, out var fd);
        if (e != Errno.None)
        {
            Log.Warn($"warn: smtpd: open: {path}: {Posix.StrError(e)}");
            return Outcome.Skipped;
        }

        using (fd)
        {
            if (!Acceptable(path, fd!, seen, out var pw))
            {
                return Outcome.Skipped;
            }

            if (!Posix.TryFlock(fd!, exclusive: true, wait: false, out _))
            {
                return Outcome.Busy;
            }

            if (Posix.TryStatus(fd!, out var st) == Errno.None && st.Size == 0)
            {
                // Left by a sendmail that had nothing to send (no recipients), or that failed.
                if (Posix.TryUnlink(path) != Errno.None)
                {
                    Log.Warn($"warn: smtpd: could not unlink {path}");
                }

                return Outcome.Done;
            }

            Log.Debug($"debug: smtpd: enqueueing offline message {path}");
            int pid;
            using (var devnull = Posix.Open("/dev/null", Libc.O_RDWR))
            {
                var stderr = new SafeFd(2, ownsHandle: false);
                pid = Posix.Spawn(ChildSpawner.SelfPath(), ["sendmail", "-S"], [.. _environment, $"{Sendmail.ReplayVariable}={pw!.Uid}"], [(fd!, 0), (devnull, 1), (stderr, 2)]);
            }

            var status = await _wait(pid);
            if (!status.Success)
            {
                Log.Warn($"warn: smtpd: couldn't enqueue offline message {path}; smtpctl {status.Describe()}");
                return Outcome.Skipped;
            }

            if (Posix.TryUnlink(path) != Errno.None)
            {
                Log.Warn($"warn: smtpd: could not unlink {path}");
            }

            return Outcome.Done;
        }
    }

    private bool Acceptable(string path, SafeFd fd, FileStatus seen, out PasswdEntry? pw)
    {
        pw = null;
        if (Posix.TryStatus(fd, out var st) != Errno.None)
        {
            Log.Warn($"warn: smtpd: fstat: {path}");
            return false;
        }

        string? refusal = !st.IsRegular ? $"file {path} (uid {st.Uid}) not regular"
            : st.Nlink != 1 ? $"file {path} is hard-link"
            : st.Uid != seen.Uid ? $"file {path} has bad uid {st.Uid}"
            : st.Gid != seen.Gid ? $"file {path} has bad gid {st.Gid}"
            : !_privileged && st.Uid != Posix.GetEUid() ? $"file {path} has bad uid {st.Uid}: an unprivileged smtpd sends its own user's mail only"
            : null;
        if (refusal is null && (pw = Posix.GetPwUid(st.Uid)) is null)
        {
            refusal = $"getpwuid for uid {st.Uid} failed";
        }

        if (refusal is not null)
        {
            Log.Warn("warn: smtpd: " + refusal);
            return false;
        }

        return true;
    }
}
