// The filter processes (`proc NAME "command"`, `filter NAME proc-exec "command"`): started by
// the parent once every role is up, each through the filter-exec helper as its configured user
// (the smtpd user by default), group and chroot, with one socketpair on its stdin and stdout
// and another on its stderr, both handed to the lka. Where OpenSMTPD stops the whole daemon when
// a filter process exits, here the parent logs it and starts it again after a pause that
// doubles with each quick failure (1 s up to 60 s; a process that ran a minute starts over at
// 1 s), and the lka asks for the same when a filter breaks the protocol or stops reading.
// Behaviour reference: usr.sbin/smtpd/smtpd.c (fork_filter_processes, fork_filter_process).
using System.Globalization;
using Smtpd.Config;
using Smtpd.Interop;
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;

namespace Smtpd.Parent;

internal sealed class ParentFilters
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Healthy = TimeSpan.FromSeconds(60);

    private readonly List<Spec> _specs = [];
    private readonly SetupSettings _settings;
    private readonly ChildReaper _reaper;
    private readonly Dictionary<string, (int Pid, DateTime Started, int Failures)> _running = new(StringComparer.Ordinal);
    private ImsgChannel? _lka;
    private bool _stopping;

    public ParentFilters(SmtpdConfig config, SetupSettings settings, ChildReaper reaper)
    {
        _settings = settings;
        _reaper = reaper;
        foreach (var p in config.Procs)
        {
            _specs.Add(new Spec(p.Name, p.Command, p.User, p.Group, p.Chroot));
        }

        foreach (var f in config.Filters.Where(f => f.Kind == FilterKind.ProcExec))
        {
            _specs.Add(new Spec(f.Name, f.Command!, f.User, f.Group, f.Chroot));
        }
    }

    public void StartAll(ImsgChannel lka)
    {
        _lka = lka;
        foreach (var spec in _specs)
        {
            Start(spec, failures: 0);
        }
    }

    /// <summary>The lka gave up on a filter process: kill it; its watcher starts it again.</summary>
    public void Restart(FilterProcRestart r)
    {
        if (_running.TryGetValue(r.Name, out var run))
        {
            Log.Warn($"warn: filter \"{r.Name}\" (pid {run.Pid}): {r.Reason}; killing it");
            Posix.Kill(run.Pid, Libc.SIGKILL);
        }
    }

    /// <summary>The daemon stops: every filter process is told to go, and none is restarted.</summary>
    public void StopAll()
    {
        _stopping = true;
        foreach (var (_, run) in _running)
        {
            Posix.Kill(run.Pid, Libc.SIGTERM);
        }
    }

    private void Start(Spec spec, int failures)
    {
        if (_stopping || _lka is null)
        {
            return;
        }

        try
        {
            var (io, childIo) = Posix.SocketPair();
            var (err, childErr) = Posix.SocketPair();
            int pid;
            try
            {
                pid = Posix.Spawn(ChildSpawner.SelfPath(), ["smtpd", "-x", FilterExec.RoleName], HelperEnvironment(spec), [(childIo, 0), (childIo, 1), (childErr, 2)], newSession: true);
            }
            finally
            {
                childIo.Dispose();
                childErr.Dispose();
            }

            Log.Debug($"debug: filter \"{spec.Name}\": started as pid {pid}: {spec.Command}");
            _running[spec.Name] = (pid, DateTime.UtcNow, failures);
            _lka.PostAs(ImsgType.FilterProcFork, new FilterProcSocket(spec.Name), fd: io);
            _lka.PostAs(ImsgType.FilterProcStderr, new FilterProcSocket(spec.Name), fd: err);
            _ = WatchAsync(spec, pid);
        }
        catch (Exception e) when (e is PosixException or InvalidOperationException)
        {
            Log.Warn($"warn: filter \"{spec.Name}\": cannot start: {e.Message}");
            _ = RetryAsync(spec, failures + 1);
        }
    }

    private async Task WatchAsync(Spec spec, int pid)
    {
        var status = await _reaper.WaitAsync(pid);
        if (_stopping)
        {
            return;
        }

        var run = _running[spec.Name];
        _running.Remove(spec.Name);
        int failures = DateTime.UtcNow - run.Started >= Healthy ? 1 : run.Failures + 1;
        Log.Warn($"warn: filter \"{spec.Name}\" (pid {pid}) {status.Describe()}; restarting it in {Backoff(failures).TotalSeconds:0} s");
        await RetryAsync(spec, failures);
    }

    private async Task RetryAsync(Spec spec, int failures)
    {
        await Task.Delay(Backoff(failures));
        Start(spec, failures);
    }

    private static TimeSpan Backoff(int failures) =>
        TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, Math.Max(0, failures - 1))));

    /// <summary>The helper's environment: ours, plus what it needs to become the filter.</summary>
    private List<string> HelperEnvironment(Spec spec)
    {
        var env = new List<string>();
        foreach (System.Collections.DictionaryEntry e in System.Environment.GetEnvironmentVariables())
        {
            env.Add($"{e.Key}={e.Value}");
        }

        string command = spec.Command.StartsWith('/') ? spec.Command : Tables.ProcTable.LibexecDir + "/" + spec.Command;
        env.Add(FilterExec.CommandVariable + "=" + command);
        if (_settings.Privileged)
        {
            var user = Posix.GetPwNam(spec.User ?? _settings.SmtpdUser)
                ?? throw new InvalidOperationException($"unknown user {spec.User ?? _settings.SmtpdUser}");
            uint gid = spec.Group is null ? user.Gid : Posix.GetGrNam(spec.Group) ?? throw new InvalidOperationException($"unknown group {spec.Group}");
            env.Add(FilterExec.UidVariable + "=" + user.Uid.ToString(CultureInfo.InvariantCulture));
            env.Add(FilterExec.GidVariable + "=" + gid.ToString(CultureInfo.InvariantCulture));
            if (spec.Chroot is not null)
            {
                env.Add(FilterExec.ChrootVariable + "=" + spec.Chroot);
            }
        }

        return env;
    }

    private sealed record Spec(string Name, string Command, string? User, string? Group, string? Chroot);
}
