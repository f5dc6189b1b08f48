// Disk faults: the spool and the mailbox on small tmpfs mounts in a private mount namespace,
// filled and emptied from outside while mail flows. A full spool refuses new mail with a 4xx
// (at MAIL FROM below the floor of free space, at the final dot when the body cannot be
// written), never a 250 for mail that is not stored; a full mailbox defers the delivery; the
// daemon keeps running and takes and delivers mail again once there is room.
// EIO is not tested: this needs a device-mapper "error" target, and the kernels the suite runs
// on (containers) have no device-mapper driver (/dev/mapper/control: No such device).
using Smtpd.Interop;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.Chaos;

[Collection("daemon")]
public class DiskFullTests
{
    private const string TestUser = "smtpdtest";

    /// <summary>Runs a command in the daemon's mount namespace (where its tmpfs mounts are).</summary>
    private static void InDaemonMounts(Daemon d, params string[] command)
    {
        int pid = d.Roles().First().Pid;
        var (code, _, err) = Binary.Run("nsenter", ["-t", pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "-m", "--", .. command]);
        Assert.True(code == 0, $"{string.Join(' ', command)}: {err}");
    }

    /// <summary>A ballast file that leaves about <paramref name="leaveKiB"/> KiB free on the tmpfs at <paramref name="mount"/>.</summary>
    private static void Fill(Daemon d, string mount, long leaveKiB)
    {
        InDaemonMounts(d, "sh", "-c", $"rm -f {mount}/ballast; avail=$(df -k --output=avail {mount} | tail -1); n=$((avail - {leaveKiB})); [ $n -le 0 ] || fallocate -l ${{n}}k {mount}/ballast");
        Assert.True(FreeKiB(d, mount) <= leaveKiB + 4, $"{mount} still has {FreeKiB(d, mount)} KiB free");
    }

    private static long FreeKiB(Daemon d, string mount)
    {
        var (_, output, _) = Binary.Run("nsenter", ["-t", d.Roles().First().Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "-m", "--", "df", "-k", "--output=avail", mount]);
        return long.Parse(output.Split('\n', StringSplitOptions.RemoveEmptyEntries)[^1].Trim(), System.Globalization.CultureInfo.InvariantCulture);
    }

    private static void Empty(Daemon d, string mount) => InDaemonMounts(d, "rm", "-f", mount + "/ballast");

    private static int Count(string dir) => Directory.Exists(dir) ? Directory.GetFiles(dir).Length : 0;

    [EndToEndFact(needsRoot: true)]
    public void AFullSpoolOrMailboxGivesTemporaryFailuresNeverALost250AndMailFlowsAgainWhenRoomComesBack()
    {
        Binary.EnsureSystemUsers();
        Binary.EnsureUser(TestUser);
        var user = Posix.GetPwNam(TestUser)!;
        string mail = Path.Combine(Path.GetTempPath(), "smtpd-diskfull-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(mail);

        // $5 is the spool (smtpd -d -f CONF --queue-dir SPOOL ...): 8 MiB for it, 4 MiB for the mailboxes.
        string prelude = $"mkdir -p \"$5\" && mount -t tmpfs -o size=8m,mode=0711 tmpfs \"$5\" && mount -t tmpfs -o size=4m,mode=0755 tmpfs {mail} && chown {user.Uid}:{user.Gid} {mail}";
        using var d = Daemon.Start(
            $"smtp max-message-size 1M\nlisten on 127.0.0.1 port {{PORT}}\naction \"local\" maildir \"{mail}/%{{user.username}}\"\nmatch from any for local action \"local\"\n",
            rootPrelude: prelude).WaitReady();
        string to = $"{TestUser}@localhost";
        string maildir = Path.Combine(mail, TestUser, "new");

        string Body(int n, int lines = 2000) => $"Subject: disk {n}\n\n" + string.Concat(Enumerable.Repeat($"line of message {n}\n", lines));

        int Delivered() => int.Parse(Binary.Run("nsenter", ["-t", d.Roles().First().Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "-m", "--", "sh", "-c", $"ls {maildir} 2>/dev/null | wc -l"]).Out.Trim(), System.Globalization.CultureInfo.InvariantCulture);

        // Room: mail goes through.
        using (var c = new SmtpClientHelper(d.Port))
        {
            Assert.StartsWith("250 ", c.SendMail("sender@example.net", [to], Body(1)), StringComparison.Ordinal);
        }

        Wait.Until(() => Delivered() == 1, "the first message is delivered:\n" + d.Log);

        // Below the floor (1.5 x max-message-size): MAIL FROM is deferred, and the log says why.
        Fill(d, d.Spool, 1024);
        using (var c = new SmtpClientHelper(d.Port))
        {
            Assert.StartsWith("250", c.Command("EHLO client.example.net"), StringComparison.Ordinal);
            string r = c.Command("MAIL FROM:<sender@example.net>");
            Assert.True(r.StartsWith('4'), "MAIL FROM on a full spool: " + r);
        }

        Wait.Until(() => d.Log.Contains("spool file system short of space", StringComparison.Ordinal), "the shortage is logged:\n" + d.Log);

        // The disk fills during DATA: the final dot gets a 4xx, not a 250.
        Empty(d, d.Spool);
        using (var c = new SmtpClientHelper(d.Port))
        {
            Assert.StartsWith("250", c.Command("EHLO client.example.net"), StringComparison.Ordinal);
            Assert.StartsWith("250", c.Command("MAIL FROM:<sender@example.net>"), StringComparison.Ordinal);
            Assert.StartsWith("250", c.Command($"RCPT TO:<{to}>"), StringComparison.Ordinal);
            Assert.StartsWith("354", c.Command("DATA"), StringComparison.Ordinal);
            Fill(d, d.Spool, 0);
            // Larger than anything the lazy removal of delivered mail (purge/) may free meanwhile.
            c.Send(Body(2, 25_000).Replace("\n", "\r\n", StringComparison.Ordinal) + ".\r\n");
            string r = c.ReadReply();
            Assert.True(r.StartsWith('4'), "the final dot on a full spool: " + r + "\n" + d.Log);
        }

        // A full mailbox: the delivery is deferred, the message stays queued.
        Empty(d, d.Spool);
        Fill(d, mail, 0);
        using (var c = new SmtpClientHelper(d.Port))
        {
            Assert.StartsWith("250 ", c.SendMail("sender@example.net", [to], Body(3)), StringComparison.Ordinal);
        }

        Wait.Until(() => d.Log.Contains("result=TempFail", StringComparison.Ordinal), "the delivery to a full mailbox is deferred:\n" + d.Log);
        Assert.Equal(1, Delivered());
        Assert.NotEqual("0", Binary.Run("nsenter", ["-t", d.Roles().First().Pid.ToString(System.Globalization.CultureInfo.InvariantCulture), "-m", "--", "sh", "-c", $"find {d.Spool}/queue -type f | wc -l"]).Out.Trim());

        // Room again: the deferred message is delivered, new mail is taken; the daemon never stopped.
        Empty(d, mail);
        Assert.Equal(0, d.Ctl("schedule", "all").Code);
        using (var c = new SmtpClientHelper(d.Port))
        {
            Assert.StartsWith("250 ", c.SendMail("sender@example.net", [to], Body(4)), StringComparison.Ordinal);
        }

        Wait.Until(() => Delivered() == 3, () => $"{Delivered()} delivered; messages 3 and 4 are delivered once there is room:\n" + d.Log, TimeSpan.FromSeconds(60));
        Assert.False(d.HasExited());
        Assert.Equal(6, d.Roles().Count(r => r.CmdLine.StartsWith("smtpd: ", StringComparison.Ordinal)));
        Directory.Delete(mail, true);
    }
}
