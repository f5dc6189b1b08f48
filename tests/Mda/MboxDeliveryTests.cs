using System.Globalization;
using System.Text;
using Smtpd.Interop;
using Smtpd.Mda;

namespace Smtpd.Tests.Mda;

public class MboxDeliveryTests
{
    private static readonly DateTimeOffset When = new(2026, 11, 2, 2, 7, 36, TimeSpan.Zero);

    private static readonly MboxLockOptions Quick = new() { Attempts = 2, RetryDelay = TimeSpan.FromMilliseconds(10) };

    private static MemoryStream Stream(string text) => new(Encoding.UTF8.GetBytes(text));

    [Fact]
    public async Task AppendsWithSeparatorAndBlankLine()
    {
        using var tmp = new TempDir();
        string mbox = tmp.Path + "/gilles";
        var d = new MboxDelivery(mbox, Quick);
        Assert.Equal(MdaResult.Ok, await d.DeliverAsync(Stream("Subject: one\n\nbody\n"), "alice@example.org", When));
        Assert.Equal(MdaResult.Ok, await d.DeliverAsync(Stream("Subject: two\n\nno newline"), "", When));
        Assert.Equal(
            "From alice@example.org Mon Nov  2 02:07:36 2026\nSubject: one\n\nbody\n\n" +
            "From MAILER-DAEMON Mon Nov  2 02:07:36 2026\nSubject: two\n\nno newline\n\n",
            File.ReadAllText(mbox));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(mbox));
        Assert.False(File.Exists(mbox + ".lock"));
    }

    [Fact]
    public async Task LinesStartingWithFromAreQuoted()
    {
        using var tmp = new TempDir();
        string mbox = tmp.Path + "/box";
        string msg = "Subject: x\n\nFrom here\nFrom\nFromage\n>From already\n From indented\nFrom \n";
        Assert.True((await new MboxDelivery(mbox, Quick).DeliverAsync(Stream(msg), "a@b", When)).IsOk);
        string body = File.ReadAllText(mbox).Split('\n', 2)[1];
        Assert.Equal("Subject: x\n\n>From here\nFrom\nFromage\n>From already\n From indented\n>From \n\n", body);
    }

    [Fact]
    public void QuotingDoesNotDependOnHowTheInputIsSplit()
    {
        byte[] input = Encoding.ASCII.GetBytes("From a\nFrFrom b\nFro\nFrom c\n\nFrom ");
        string expected = Run(new[] { input });
        Assert.Equal(">From a\nFrFrom b\nFro\n>From c\n\n>From \n\n", expected);
        for (int cut = 0; cut <= input.Length; cut++)
        {
            Assert.Equal(expected, Run(new[] { input[..cut], input[cut..] }));
        }

        var oneByOne = input.Select(b => new[] { b }).ToArray();
        Assert.Equal(expected, Run(oneByOne));

        static string Run(byte[][] pieces)
        {
            var f = new MboxFormat();
            var sb = new StringBuilder();
            foreach (var p in pieces)
            {
                var o = new byte[MboxFormat.MaxOutput(p.Length)];
                sb.Append(Encoding.ASCII.GetString(o, 0, f.Quote(p, o)));
            }

            var t = new byte[16];
            sb.Append(Encoding.ASCII.GetString(t, 0, f.Finish(t)));
            return sb.ToString();
        }
    }

    [Fact]
    public void SeparatorDateIsCtimeShaped()
    {
        Assert.Equal("From a@b Sun Nov 22 02:07:36 2026\n", Encoding.ASCII.GetString(MboxFormat.SeparatorLine("a@b", new DateTimeOffset(2026, 11, 22, 2, 7, 36, TimeSpan.Zero))));
    }

    [Fact]
    public async Task HeldDotLockIsATemporaryFailure()
    {
        using var tmp = new TempDir();
        string mbox = tmp.Path + "/box";
        File.WriteAllText(mbox + ".lock", Environment.ProcessId.ToString(CultureInfo.InvariantCulture) + "\n");
        var result = await new MboxDelivery(mbox, Quick with { CheckPid = true }).DeliverAsync(Stream("S: x\n\nb\n"), "a@b", When);
        Assert.Equal(MdaResultKind.TempFail, result.Kind);
        Assert.Contains("dot-lock", result.Reason, StringComparison.Ordinal);
        Assert.Equal(0, new FileInfo(mbox).Length);
        Assert.True(File.Exists(mbox + ".lock"));
    }

    [Fact]
    public async Task StaleDotLocksAreRemoved()
    {
        using var tmp = new TempDir();
        string mbox = tmp.Path + "/box";

        File.WriteAllText(mbox + ".lock", "0\n");
        // Long stale by any clock: a time relative to "now" would not survive a shifted clock (libfaketime
        // shifts what stat reports but not what utimensat writes).
        File.SetLastWriteTimeUtc(mbox + ".lock", new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        Assert.True((await new MboxDelivery(mbox, Quick).DeliverAsync(Stream("S: x\n\nb\n"), "a@b", When)).IsOk);
        Assert.False(File.Exists(mbox + ".lock"));

        // A pid that cannot be running (pid_max is at most 2^22).
        File.WriteAllText(mbox + ".lock", "99999999\n");
        Assert.True((await new MboxDelivery(mbox, Quick with { CheckPid = true }).DeliverAsync(Stream("S: y\n\nb\n"), "a@b", When)).IsOk);
        Assert.False(File.Exists(mbox + ".lock"));
    }

    [Fact]
    public async Task FreshLockWithoutPidCheckIsRespected()
    {
        using var tmp = new TempDir();
        string mbox = tmp.Path + "/box";
        File.WriteAllText(mbox + ".lock", "99999999\n");
        var result = await new MboxDelivery(mbox, Quick).DeliverAsync(Stream("S: x\n\nb\n"), "a@b", When);
        Assert.Equal(MdaResultKind.TempFail, result.Kind);
    }

    [Fact]
    public async Task FlockHeldElsewhereIsATemporaryFailure()
    {
        using var tmp = new TempDir();
        string mbox = tmp.Path + "/box";
        File.WriteAllText(mbox, "");
        using var other = Posix.Open(mbox, Libc.O_RDONLY);
        Assert.True(Posix.TryFlock(other, exclusive: true, wait: false, out _));
        var result = await new MboxDelivery(mbox, Quick).DeliverAsync(Stream("S: x\n\nb\n"), "a@b", When);
        Assert.Equal(MdaResultKind.TempFail, result.Kind);
        Assert.Contains("flock", result.Reason, StringComparison.Ordinal);
        Assert.False(File.Exists(mbox + ".lock"));
        Posix.Unlock(other);
        Assert.True((await new MboxDelivery(mbox, Quick).DeliverAsync(Stream("S: x\n\nb\n"), "a@b", When)).IsOk);
    }

    [Fact]
    public async Task SymlinksAndHardLinksAreRefused()
    {
        using var tmp = new TempDir();
        File.WriteAllText(tmp.Path + "/target", "keep");
        File.CreateSymbolicLink(tmp.Path + "/sym", tmp.Path + "/target");
        Assert.Equal(MdaResultKind.TempFail, (await new MboxDelivery(tmp.Path + "/sym", Quick).DeliverAsync(Stream("x\n"), "a@b", When)).Kind);
        Assert.Equal("keep", File.ReadAllText(tmp.Path + "/target"));

        Directory.CreateDirectory(tmp.Path + "/dir");
        Assert.Equal(MdaResultKind.TempFail, (await new MboxDelivery(tmp.Path + "/dir", Quick).DeliverAsync(Stream("x\n"), "a@b", When)).Kind);
    }

    [Fact]
    public async Task UnwritableSpoolDirectoryStillDeliversWithKernelLocks()
    {
        using var tmp = new TempDir();
        string mbox = tmp.Path + "/box";
        File.WriteAllText(mbox, "");

        // Root ignores directory permissions, so as root the directory is made immutable instead
        // (no entry can be created in it, the mailbox itself stays writable).
        Action<bool> locked = Posix.IsRoot
            ? on => Chattr(on ? "+i" : "-i", tmp.Path)
            : on => File.SetUnixFileMode(tmp.Path, UnixFileMode.UserRead | UnixFileMode.UserExecute | (on ? 0 : UnixFileMode.UserWrite));
        locked(true);
        try
        {
            Assert.Throws<UnauthorizedAccessException>(() => File.WriteAllText(tmp.Path + "/probe", ""));
            Assert.True((await new MboxDelivery(mbox, Quick).DeliverAsync(Stream("S: x\n\nb\n"), "a@b", When)).IsOk);
            var strict = await new MboxDelivery(mbox, Quick with { DotLockMayFail = false }).DeliverAsync(Stream("S: x\n\nb\n"), "a@b", When);
            Assert.Equal(MdaResultKind.TempFail, strict.Kind);
        }
        finally
        {
            locked(false);
        }

        Assert.StartsWith("From a@b ", File.ReadAllText(mbox), StringComparison.Ordinal);
    }

    [Fact]
    public async Task AFailedReadLeavesTheMailboxAsItWas()
    {
        using var tmp = new TempDir();
        string mbox = tmp.Path + "/box";
        File.WriteAllText(mbox, "From old Mon Nov  2 02:07:36 2026\nS: old\n\n");
        long before = new FileInfo(mbox).Length;
        var result = await new MboxDelivery(mbox, Quick).DeliverAsync(new FailingStream(), "a@b", When);
        Assert.Equal(MdaResultKind.TempFail, result.Kind);
        Assert.Equal(before, new FileInfo(mbox).Length);
        Assert.False(File.Exists(mbox + ".lock"));
    }

    [Fact]
    public async Task ConcurrentDeliveriesDoNotInterleave()
    {
        using var tmp = new TempDir();
        string mbox = tmp.Path + "/box";
        var patient = new MboxLockOptions { Attempts = 1000, RetryDelay = TimeSpan.FromMilliseconds(2) };
        string body = string.Concat(Enumerable.Repeat("line of text\n", 5000));
        var tasks = Enumerable.Range(0, 4).Select(i => Task.Run(() =>
            new MboxDelivery(mbox, patient).DeliverAsync(Stream($"Subject: {i}\n\n{body}"), $"s{i}@example.org", When))).ToArray();
        var results = await Task.WhenAll(tasks);
        Assert.All(results, r => Assert.True(r.IsOk, r.Reason));

        string content = File.ReadAllText(mbox);
        var blocks = Enumerable.Range(0, 4).Select(i => $"From s{i}@example.org Mon Nov  2 02:07:36 2026\nSubject: {i}\n\n{body}\n").ToList();
        Assert.Equal(blocks.Sum(b => b.Length), content.Length);
        Assert.All(blocks, b => Assert.Contains(b, content, StringComparison.Ordinal));
        Assert.False(File.Exists(mbox + ".lock"));
    }

    private static void Chattr(string flags, string path)
    {
        using var p = System.Diagnostics.Process.Start("chattr", [flags, path]);
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, $"chattr {flags} {path} failed (the test needs a file system with inode flags, e.g. ext4)");
    }
}
