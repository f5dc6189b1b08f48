// The installed smtpctl is a setgid _smtpq copy of the whole binary (make install). Run by an
// ordinary user under any name other than sendmail's, it gives the group up before doing
// anything: a role started by hand (`smtpd -x lka`), makemap and smtpctl all run with the user's
// own group (a file only _smtpq may read stays unread). And a setgid start ignores the SMTPD_* variables that point a private instance at
// its sockets and directories. Root only: it needs the install's owner, group and mode.
using System.Net.Sockets;
using Smtpd.Interop;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public sealed class SetGidTests : IDisposable
{
    private const string User = "smtpdpriv";
    private readonly string _dir;

    public SetGidTests()
    {
        _dir = Directory.CreateTempSubdirectory("smtpd-setgid-").FullName;
        File.SetUnixFileMode(_dir, (UnixFileMode)0b111_101_101);
        if (!Binary.IsRoot || Binary.Path is null)
        {
            return;
        }

        Binary.EnsureSystemUsers();
        Binary.EnsureUser(User);

        // As `make install` does it: a copy, root:_smtpq, mode 2555; the other names link to it.
        string ctl = Path.Combine(_dir, "smtpctl");
        File.Copy(Binary.Require(), ctl);
        Binary.Run("chown", ["root:_smtpq", ctl]);
        Binary.Run("chmod", ["2555", ctl]);
        foreach (string name in new[] { "smtpd", "makemap" })
        {
            File.CreateSymbolicLink(Path.Combine(_dir, name), "smtpctl");
        }

        Directory.CreateDirectory(Out);
        Binary.Run("chmod", ["1777", Out]);
    }

    public void Dispose() => Directory.Delete(_dir, true);

    private string Out => Path.Combine(_dir, "out");

    private static PasswdEntry Pw => Posix.GetPwNam(User)!;

    private (int Code, string Out, string Err) RunAsUser(string program, IEnumerable<string> args, IDictionary<string, string>? env = null) =>
        Binary.Run("setpriv", [$"--reuid={Pw.Uid}", $"--regid={Pw.Gid}", "--clear-groups", "--", Path.Combine(_dir, program), .. args], env);

    /// <summary>Real, effective, saved and file-system group of a running process.</summary>
    private static uint[]? Gids(int pid)
    {
        try
        {
            string? line = File.ReadAllLines($"/proc/{pid}/status").FirstOrDefault(l => l.StartsWith("Gid:", StringComparison.Ordinal));
            return line?.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[1..].Select(uint.Parse).ToArray();
        }
        catch (IOException)
        {
            return null;
        }
    }

    [EndToEndFact(needsRoot: true)]
    public void ARoleStartedByHandRunsWithTheUsersGroupOnly()
    {
        var (mine, theirs) = Posix.SocketPair();
        int pid;
        using (mine)
        {
            using (var devnull = Posix.Open("/dev/null", Libc.O_RDWR))
            using (theirs)
            {
                // setpriv execs in place: the pid is the role's once it has started.
                pid = Posix.Spawn("/usr/bin/setpriv", ["setpriv", $"--reuid={Pw.Uid}", $"--regid={Pw.Gid}", "--clear-groups", "--", Path.Combine(_dir, "smtpd"), "-x", "lka"], ["PATH=/usr/bin:/bin"], [(devnull, 0), (devnull, 1), (devnull, 2), (theirs, 3)]);
            }

            uint[]? gids = null;
            try
            {
                // The role waits on fd 3 for its configuration: it stays up to be looked at.
                Wait.Until(() => !File.ReadAllText($"/proc/{pid}/status").StartsWith("Name:\tsetpriv\n", StringComparison.Ordinal) && (gids = Gids(pid)) is not null && gids.All(g => g == Pw.Gid), "the role gives up _smtpq", TimeSpan.FromSeconds(10));
            }
            catch (TimeoutException e)
            {
                throw new TimeoutException(e.Message + ": Gid " + (gids is null ? "?" : string.Join(' ', gids)), e);
            }
            finally
            {
                Posix.Kill(pid, Libc.SIGKILL);
                Posix.WaitPid(pid);
            }
        }
    }

    [EndToEndFact(needsRoot: true)]
    public void MakemapCannotReadWhatOnlyTheQueueGroupMay()
    {
        // Readable by _smtpq's members alone: the user is not one, so makemap may not read it either.
        string source = Path.Combine(Out, "queue-only");
        File.WriteAllText(source, "secret: root\n");
        Binary.Run("chown", ["root:_smtpq", source]);
        Binary.Run("chmod", ["0640", source]);
        var r = RunAsUser("makemap", ["-o", Path.Combine(Out, "queue-only.db"), source]);
        Assert.NotEqual(0, r.Code);
        Assert.Contains("denied", r.Err, StringComparison.Ordinal);
        Assert.False(File.Exists(Path.Combine(Out, "queue-only.db")));
    }

    [EndToEndFact(needsRoot: true)]
    public void SmtpctlIgnoresTheSocketVariableWhenSetgid()
    {
        // A socket the user controls: a setgid smtpctl must not be pointed at it.
        string fake = Path.Combine(Out, "fake.sock");
        using var listener = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
        listener.Bind(new UnixDomainSocketEndPoint(fake));
        listener.Listen(1);
        Binary.Run("chmod", ["0777", fake]);
        var r = RunAsUser("smtpctl", ["show", "status"], new Dictionary<string, string> { ["SMTPD_SOCKET"] = fake });
        Assert.NotEqual(0, r.Code);
        Assert.False(listener.Poll(0, SelectMode.SelectRead), "smtpctl connected to $SMTPD_SOCKET");
    }
}
