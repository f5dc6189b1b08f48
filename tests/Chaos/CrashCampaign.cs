// The crash campaign: mail goes in from two clients without pause while, at random moments
// from a seeded Random, one role (or the whole process tree) is killed with SIGKILL and the
// daemon restarted on the same spool. At the end the last daemon drains the queue and every
// message a client saw "250" for must be in the mailbox, intact; how many arrived twice is
// counted (a kill between delivery and the envelope's removal delivers again, as in any MTA);
// the spool must be empty. `make test` runs a few rounds, `make chaos` a thousand.
using System.Collections.Concurrent;
using System.Text;
using Smtpd.Interop;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.Chaos;

internal sealed class CrashCampaign
{
    private readonly ConcurrentDictionary<int, bool> _acked = new();
    private readonly Random _random;
    private int _next;
    private volatile bool _stop;

    public CrashCampaign(int seed) => _random = new Random(seed);

    public int Rounds { get; private set; }

    public int RoleKills { get; private set; }

    public int TreeKills { get; private set; }

    public int Attempts => _next;

    public int Acknowledged => _acked.Count;

    public static string Body(int id) =>
        string.Concat(Enumerable.Range(0, 40).Select(k => $"chaos message {id} line {k} {new string((char)('a' + (id + k) % 26), 60)}\n"));

    /// <summary>Runs the rounds; returns the daemon that is left running (the caller drains and disposes it).</summary>
    public Daemon Run(Func<Daemon> start, string recipient, int rounds, Action<string> log)
    {
        var d = start().WaitReady();
        int port = d.Port;
        var senders = Enumerable.Range(0, 2).Select(_ => Task.Run(() => SendLoop(port, recipient))).ToArray();
        try
        {
            for (Rounds = 0; Rounds < rounds; Rounds++)
            {
                Thread.Sleep(100 + _random.Next(900));
                var roles = d.Roles().Where(r => r.CmdLine.StartsWith("smtpd: ", StringComparison.Ordinal)).ToList();
                bool wholeTree = _random.Next(4) == 0 || roles.Count == 0;
                if (wholeTree)
                {
                    TreeKills++;
                    d.Signal(Libc.SIGKILL);
                    foreach (var r in roles)
                    {
                        Posix.Kill(r.Pid, Libc.SIGKILL);
                    }
                }
                else
                {
                    RoleKills++;
                    var victim = roles[_random.Next(roles.Count)];
                    log($"round {Rounds}: kill -9 {victim.CmdLine} ({victim.Pid})");
                    Posix.Kill(victim.Pid, Libc.SIGKILL);

                    // The parent stops the tree when a role dies; whatever is left after a
                    // moment is killed with it before the restart.
                    var until = DateTime.UtcNow.AddSeconds(10);
                    while (!d.HasExited() && DateTime.UtcNow < until)
                    {
                        Thread.Sleep(50);
                    }
                }

                d = Restart(d, roles);
            }
        }
        finally
        {
            _stop = true;
            Task.WaitAll(senders, TimeSpan.FromSeconds(60));
        }

        return d;
    }

    private static Daemon Restart(Daemon d, List<ProcInfo> roles)
    {
        if (!d.HasExited())
        {
            d.Signal(Libc.SIGKILL);
        }

        d.WaitExit();
        foreach (var r in d.Roles().Concat(roles))
        {
            Posix.Kill(r.Pid, Libc.SIGKILL);
        }

        Wait.Until(() => roles.All(r => !ProcInfo.Exists(r.Pid)), "the old roles are gone");
        var next = Daemon.Restart(d).WaitReady();
        d.Dispose();
        return next;
    }

    private void SendLoop(int port, string recipient)
    {
        while (!_stop)
        {
            int id = Interlocked.Increment(ref _next);
            try
            {
                using var c = new SmtpClientHelper(port);
                string reply = c.SendMail("chaos@example.net", [recipient], $"Message-ID: <chaos-{id}@example.net>\nSubject: chaos {id}\n\n{Body(id)}");
                if (reply.StartsWith("250 ", StringComparison.Ordinal))
                {
                    _acked[id] = true;
                }
            }
            catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or Xunit.Sdk.XunitException)
            {
                // Refused, cut off or a 4xx while the daemon is down or dying: not acknowledged.
                Thread.Sleep(20);
            }
        }
    }

    /// <summary>What the mailbox holds: per message id, how many copies and how many of them are not what was sent.</summary>
    public static (Dictionary<int, int> Copies, List<string> Corrupt) Inspect(string maildir)
    {
        var copies = new Dictionary<int, int>();
        var corrupt = new List<string>();
        foreach (string file in Directory.EnumerateFiles(maildir, "*", SearchOption.AllDirectories).Where(f => Path.GetFileName(Path.GetDirectoryName(f)) != "tmp"))
        {
            string text = File.ReadAllText(file, Encoding.UTF8).Replace("\r\n", "\n", StringComparison.Ordinal);
            var m = System.Text.RegularExpressions.Regex.Match(text, @"^Message-ID: <chaos-(\d+)@example\.net>$", System.Text.RegularExpressions.RegexOptions.Multiline);
            int body = text.IndexOf("\n\n", StringComparison.Ordinal);
            if (!m.Success || body < 0)
            {
                corrupt.Add(file);
                continue;
            }

            int id = int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            copies[id] = copies.GetValueOrDefault(id) + 1;
            if (text[(body + 2)..] != Body(id))
            {
                corrupt.Add(file);
            }
        }

        return (copies, corrupt);
    }

    public IEnumerable<int> AcknowledgedIds => _acked.Keys;
}
