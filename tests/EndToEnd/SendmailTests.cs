// sendmail and mailq against the real daemon: the command lines cron, mutt and git send-email
// use deliver through the local enqueue socket; -t takes the header's recipients and drops Bcc;
// with the daemon down the message waits in offline/ (exit 75) and is sent when it starts; the
// queue listing has OpenSMTPD's format, from the daemon and from the spool.
using System.Text.RegularExpressions;
using Smtpd.Interop;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public class SendmailTests
{
    private const string TestUser = "smtpdtest";

    public SendmailTests()
    {
        if (Binary.IsRoot)
        {
            Binary.EnsureSystemUsers();
            Binary.EnsureUser(TestUser);
        }
    }

    /// <summary>Who receives: the test user as root, else ourselves (an unprivileged daemon delivers only as its own user).</summary>
    private static PasswdEntry Recipient => Binary.IsRoot ? Posix.GetPwNam(TestUser)! : Posix.GetPwUid(Posix.GetEUid())!;

    /// <summary>Who runs sendmail: the user these tests run as.</summary>
    private static string Me => Posix.GetPwUid(Posix.GetUid())!.Name;

    private sealed record Setup(Daemon Daemon, string MailRoot) : IDisposable
    {
        public string Maildir => Path.Combine(MailRoot, Recipient.Name);

        public Dictionary<string, string> Env => new() { ["SMTPD_SOCKET"] = Daemon.Socket, ["SMTPD_QUEUE_DIR"] = Daemon.Spool };

        public (int Code, string Out, string Err) Sendmail(string input, params string[] args) =>
            Binary.Run(Binary.LinkAs(Daemon.Dir, "sendmail"), args, Env, stdin: input);

        public (int Code, string Out, string Err) Mailq() => Binary.Run(Binary.LinkAs(Daemon.Dir, "mailq"), [], Env);

        public List<string> Delivered() =>
            Directory.Exists(Path.Combine(Maildir, "new")) ? [.. Directory.GetFiles(Path.Combine(Maildir, "new")).Select(File.ReadAllText)] : [];

        public void Dispose()
        {
            Daemon.Dispose();
            Directory.Delete(MailRoot, true);
        }
    }

    /// <summary>Local mail from the enqueue socket goes to {mail}/USER whatever its domain; example.net is relayed (and waits: the test resolver answers nobody).</summary>
    private static Setup Start()
    {
        string mail = Path.Combine(Path.GetTempPath(), "smtpd-mail-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(mail);
        Binary.Run("chown", [$"{Recipient.Uid}:{Recipient.Gid}", mail]);
        string conf = "listen on 127.0.0.1 port {PORT}\n" +
            $"action \"local\" maildir \"{mail}/%{{user.username}}\"\n" +
            "action \"out\" relay\n" +
            "match from local for domain \"example.net\" action \"out\"\n" +
            "match from local for any action \"local\"\n";
        return new Setup(Daemon.Start(conf).WaitReady(), mail);
    }

    private static string Only(Setup s)
    {
        Wait.Until(() => s.Delivered().Count == 1, "one message is delivered:\n" + s.Daemon.Log);
        return s.Delivered()[0];
    }

    [EndToEndFact]
    public void TheEnqueueSocketIsWorldWritableBesideTheControlSocket()
    {
        using var s = Start();
        string path = Path.Combine(s.Daemon.Dir, "run", "smtpd-enqueue.sock");
        var st = Posix.TryLStat(path)!.Value;
        Assert.True(st.IsSocket);
        Assert.Equal(0b110_110_110u, st.Mode & 0xfff);
        s.Daemon.Signal(Libc.SIGTERM);
        s.Daemon.WaitExit();
        Assert.False(File.Exists(path), "the socket is removed at exit");
    }

    [EndToEndFact]
    public void CronsCommandLineDeliversWithTheUserAsSenderAndDateAndMessageIdAdded()
    {
        using var s = Start();
        var r = s.Sendmail("Subject: Cron <root@host> run-parts\nContent-Type: text/plain\n\nthe job said hello\n", "-FCronDaemon", "-i", "-B8BITMIME", "-oem", Recipient.Name);
        Assert.Equal((0, string.Empty, string.Empty), r);
        string text = Only(s);
        Assert.Matches($@"\nFrom: CronDaemon <{Regex.Escape(Me)}@[^>\s]+>\n", text);
        Assert.Matches(@"\nDate: \w{3}, \d{1,2} \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4} \(\S+\)\n", text);
        Assert.Matches(@"\nMessage-ID: <[0-9a-f]{16}@\S+>\n", text);
        Assert.EndsWith("\nthe job said hello\n", text, StringComparison.Ordinal);
        Assert.Matches($@"^Return-Path: <{Regex.Escape(Me)}@[^>\s]+>\nDelivered-To: {Regex.Escape(Recipient.Name)}@[^\s]+\nReceived: from localhost \(localhost \[local\]\)", text);
        Assert.Matches($@"smtp envelope evpid=[0-9a-f]{{16}} from=<{Regex.Escape(Me)}@[^>]+> to=<{Regex.Escape(Recipient.Name)}@[^>]+>", s.Daemon.Log);
        Assert.Contains("smtp connected address=local host=localhost", s.Daemon.Log, StringComparison.Ordinal);
    }

    [EndToEndFact]
    public void MuttsCommandLineDeliversAndWithOiALoneDotIsPartOfTheMessage()
    {
        using var s = Start();
        string message = "From: Mutt User <mutt@example.org>\nTo: " + Recipient.Name + "@localhost\nSubject: mutt\nDate: Mon, 7 Dec 2026 10:00:00 +0100\nMessage-ID: <mutt.1@example.org>\n\nfirst\n.\n.. two dots\nlast\n";
        var r = s.Sendmail(message, "-oem", "-oi", "-B8BITMIME", "-f", "mutt@example.org", "--", Recipient.Name + "@localhost");
        Assert.Equal(0, r.Code);
        string text = Only(s);
        Assert.EndsWith("\nfirst\n.\n.. two dots\nlast\n", text, StringComparison.Ordinal);
        Assert.Single(Regex.Matches(text, "^Date:", RegexOptions.Multiline));
        Assert.Single(Regex.Matches(text, "^Message-ID:", RegexOptions.Multiline));
        Assert.Contains("from=<mutt@example.org>", s.Daemon.Log, StringComparison.Ordinal);
    }

    [EndToEndFact]
    public void GitSendEmailsCommandLineDeliversToEveryRecipient()
    {
        using var s = Start();
        string message = "From: Dev <dev@example.org>\nTo: a@localhost\nCc: b@localhost\nSubject: [PATCH] fix\nDate: Mon, 7 Dec 2026 10:00:00 +0000\nMessage-ID: <20261207.1-git-send-email@example.org>\n\n---\n.\n";
        var r = s.Sendmail(message, "-i", "-f", "dev@example.org", $"{Recipient.Name}+a@localhost", $"{Recipient.Name}+b@localhost");
        Assert.Equal(0, r.Code);
        Wait.Until(() => s.Delivered().Count == 2, "both copies are delivered:\n" + s.Daemon.Log);
        Assert.All(s.Delivered(), t => Assert.EndsWith("\n---\n.\n", t, StringComparison.Ordinal));
        Assert.Contains($"from=<dev@example.org> to=<{Recipient.Name}+a@localhost>", s.Daemon.Log, StringComparison.Ordinal);
        Assert.Contains($"from=<dev@example.org> to=<{Recipient.Name}+b@localhost>", s.Daemon.Log, StringComparison.Ordinal);
    }

    [EndToEndFact]
    public void DashTTakesToCcAndBccAndStripsBccAndTheFromHeaderIsTheSender()
    {
        using var s = Start();
        string u = Recipient.Name;
        string message = $"From: \"Alice A.\" <alice@example.org>\nTo: {u}+to@localhost, \"Bob (x)\" <{u}+named@localhost>\nCc: friends: {u}+cc@localhost;\nBcc: {u}+hidden@localhost\nSubject: t\n\nbody\n";
        var r = s.Sendmail(message, "-t");
        Assert.Equal(0, r.Code);
        Wait.Until(() => s.Delivered().Count == 4, "four copies are delivered:\n" + s.Daemon.Log);
        foreach (string rcpt in new[] { "to", "named", "cc", "hidden" })
        {
            Assert.Contains($"from=<alice@example.org> to=<{u}+{rcpt}@localhost>", s.Daemon.Log, StringComparison.Ordinal);
        }

        // The delivery agent's own Delivered-To names each copy's recipient (the Bcc'd one's too);
        // what sendmail passed on must not show the Bcc address anywhere.
        static string Submitted(string t) => t[t.IndexOf("Received: ", StringComparison.Ordinal)..];
        // (A Bcc header line, that is: the hex queue id in Received may well contain "bcc".)
        Assert.All(s.Delivered(), t => Assert.DoesNotContain("\nBcc:", Submitted(t), StringComparison.OrdinalIgnoreCase));
        Assert.All(s.Delivered(), t => Assert.DoesNotContain("hidden", Submitted(t), StringComparison.Ordinal));
    }

    [EndToEndFact]
    public void WithoutDashIALoneDotEndsTheMessage()
    {
        using var s = Start();
        var r = s.Sendmail("Subject: dot\n\nkept\n.\nnever sent\n", Recipient.Name + "@localhost");
        Assert.Equal(0, r.Code);
        string text = Only(s);
        Assert.EndsWith("\nkept\n", text, StringComparison.Ordinal);
        Assert.DoesNotContain("never sent", text, StringComparison.Ordinal);
    }

    [EndToEndFact]
    public void AMessageWithoutAHeaderGetsFromAndDateAndOnlyRecipientsAreNeeded()
    {
        using var s = Start();
        Assert.Equal(70, s.Sendmail("no one to send to\n").Code);
        Assert.Equal((70, "sendmail: no recipients\n"), (s.Sendmail("x\n").Code, s.Sendmail("x\n").Err));
        Assert.Equal(0, s.Sendmail("just a line of text\n", Recipient.Name + "@localhost").Code);
        string text = Only(s);
        Assert.Matches(@"\nFrom: .*<\S+@\S+>\nDate: [^\n]+\n", text);
        Assert.EndsWith("\n\njust a line of text\n", text, StringComparison.Ordinal);
    }

    [EndToEndFact]
    public void QuestionableFlagsAreAnsweredAsOpenSmtpdDoes()
    {
        using var s = Start();
        Assert.Equal(70, s.Sendmail(string.Empty, "-q").Code);
        var usage = s.Sendmail(string.Empty, "-Z");
        Assert.Equal((1, "usage: sendmail [-tv] [-f from] [-F name] to ...\n"), (usage.Code, usage.Err));
        Assert.Equal((1, "sendmail: syntax error in address\n"), (s.Sendmail("To: \"open <x@example.org>\n\nx\n", "-t").Code, s.Sendmail("To: \"open <x@example.org>\n\nx\n", "-t").Err));
        Assert.Equal((1, "sendmail: leading < but no trailing >\n"), (s.Sendmail("x\n", "-f", "<a@example.org", "u").Code, s.Sendmail("x\n", "-f", "<a@example.org", "u").Err));
        var verbose = s.Sendmail("Subject: v\n\nv\n", "-v", Recipient.Name + "@localhost");
        Assert.Equal(0, verbose.Code);
        Assert.Contains(">>> EHLO localhost\n", verbose.Out, StringComparison.Ordinal);
        Assert.Matches(@"<<< 250 2\.0\.0 [0-9a-f]{8} Message accepted for delivery\n", verbose.Out);
    }

    [EndToEndFact]
    public void WithTheDaemonDownTheMessageWaitsOfflineAndIsSentWhenItStarts()
    {
        using var s = Start();
        s.Daemon.Signal(Libc.SIGTERM);
        s.Daemon.WaitExit();

        var r = s.Sendmail("Subject: while you were out\n\nheld for later\n", "-i", "-f", "late@example.org", Recipient.Name + "@localhost");
        Assert.Equal(75, r.Code);
        string offline = Path.Combine(s.Daemon.Spool, "offline");
        string file = Assert.Single(Directory.GetFiles(offline));
        Assert.Equal(0b110_000_000u, Posix.TryLStat(file)!.Value.Mode & 0xfff);

        using var again = Daemon.Restart(s.Daemon).WaitReady();
        Wait.Until(() => s.Delivered().Count == 1, "the offline message is delivered:\n" + again.Log);
        string text = s.Delivered()[0];
        Assert.Contains("Subject: while you were out", text, StringComparison.Ordinal);
        Assert.EndsWith("\nheld for later\n", text, StringComparison.Ordinal);
        Assert.Contains($"from=<late@example.org> to=<{Recipient.Name}@localhost>", again.Log, StringComparison.Ordinal);
        Wait.Until(() => Directory.GetFiles(offline).Length == 0, "the offline file is removed");
    }

    [EndToEndFact]
    public void OfflineEntriesThatAreLinksOrOfAnotherGroupAreLeftAlone()
    {
        using var s = Start();
        s.Daemon.Signal(Libc.SIGTERM);
        s.Daemon.WaitExit();
        string offline = Path.Combine(s.Daemon.Spool, "offline");
        string secret = Path.Combine(s.Daemon.Dir, "secret");
        File.WriteAllText(secret, $"-f|x@example.org|{Recipient.Name}@localhost\nSubject: stolen\n\nsecret\n");
        var dir = Posix.TryLStat(offline)!.Value;
        Binary.Run("chgrp", [dir.Gid.ToString(System.Globalization.CultureInfo.InvariantCulture), secret]);
        File.CreateSymbolicLink(Path.Combine(offline, "1.symlink"), secret);
        Assert.Equal(0, Binary.Run("ln", [secret, Path.Combine(offline, "2.hardlink")]).Code);
        int expected = 2;
        if (Binary.IsRoot)
        {
            // Root's own file keeps root's group, not the directory's (_smtpq): no sendmail made it.
            File.WriteAllText(Path.Combine(offline, "3.othergroup"), $"-f|x@example.org|{Recipient.Name}@localhost\nSubject: planted\n\nplanted\n");
            expected = 3;
        }

        using var again = Daemon.Restart(s.Daemon, extraArgs: ["-v"]).WaitReady();
        Wait.Until(() => again.Log.Contains("debug: smtpd: offline scanning done", StringComparison.Ordinal), "the offline scan ends:\n" + again.Log);
        Assert.Contains("warn: smtpd: file " + Path.Combine(offline, "2.hardlink") + " is hard-link", again.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("enqueueing offline message", again.Log, StringComparison.Ordinal);
        Assert.Empty(s.Delivered());
        Assert.Equal(expected, Directory.GetFileSystemEntries(offline).Length);
    }

    [EndToEndFact]
    public void MailqAndShowQueuePrintTheWaitingEnvelopeInOpenSmtpdsFormatWithOrWithoutTheDaemon()
    {
        using var s = Start();
        Assert.Equal(0, s.Sendmail("Subject: far away\n\nwaits\n", "-f", "me@example.org", "someone@example.net").Code);
        const string Line = @"^([0-9a-f]{16})\|local\|mta\|bounce,auth\|me@example\.org\|someone@example\.net\|someone@example\.net\|(\d+)\|(\d+)\|(\d+)\|(\d+)\|";
        string listed = string.Empty;
        Wait.Until(() => Regex.IsMatch(listed = s.Mailq().Out, Line + @"pending\|-?\d+\|[^|\n]*\n$"), "mailq lists the envelope as pending:\n" + s.Daemon.Log);
        var m = Regex.Match(listed, Line);
        Assert.Equal(345600, long.Parse(m.Groups[3].Value, System.Globalization.CultureInfo.InvariantCulture) - long.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture));
        Assert.Contains($"evpid={m.Groups[1].Value} from=<me@example.org> to=<someone@example.net>", s.Daemon.Log, StringComparison.Ordinal);

        var ctl = Binary.Run(Binary.LinkAs(s.Daemon.Dir, "smtpctl"), ["show", "queue"], s.Env);
        Assert.Matches(Line + @"pending\|", ctl.Out);
        Assert.Matches(Line + @"pending\|", Binary.Run(Binary.LinkAs(s.Daemon.Dir, "sendmail"), ["-bp"], s.Env).Out);

        s.Daemon.Signal(Libc.SIGTERM);
        s.Daemon.WaitExit();
        var down = s.Mailq();
        Assert.Equal(0, down.Code);
        Assert.Matches(Line + @"offline\|\|[^|\n]*\n$", down.Out);
        Assert.StartsWith(m.Groups[1].Value + "|", down.Out, StringComparison.Ordinal);
    }

    [EndToEndFact]
    public void DashBsSpeaksSmtpOnStandardInputAndOutput()
    {
        using var s = Start();
        var psi = new System.Diagnostics.ProcessStartInfo(Binary.LinkAs(s.Daemon.Dir, "sendmail"), ["-bs"])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var (k, v) in s.Env)
        {
            psi.Environment[k] = v;
        }

        using var p = System.Diagnostics.Process.Start(psi)!;
        p.StandardInput.NewLine = "\r\n";
        string Reply()
        {
            string all = string.Empty;
            while (p.StandardOutput.ReadLine() is { } line)
            {
                all += line + "\n";
                if (line.Length < 4 || line[3] != '-')
                {
                    break;
                }
            }

            return all;
        }

        string Say(string line)
        {
            p.StandardInput.WriteLine(line);
            p.StandardInput.Flush();
            return Reply();
        }

        Assert.StartsWith("220 ", Reply(), StringComparison.Ordinal);
        Assert.StartsWith("250-", Say("EHLO pipe.example"), StringComparison.Ordinal);
        Assert.StartsWith("250 ", Say("MAIL FROM:<bs@example.org>"), StringComparison.Ordinal);
        Assert.StartsWith("250 ", Say($"RCPT TO:<{Recipient.Name}@localhost>"), StringComparison.Ordinal);
        Assert.StartsWith("354 ", Say("DATA"), StringComparison.Ordinal);
        p.StandardInput.Write("Subject: over a pipe\r\n\r\nsent with -bs\r\n");
        Assert.Matches(@"^250 2\.0\.0 [0-9a-f]{8} Message accepted for delivery\n$", Say("."));
        Assert.StartsWith("221 ", Say("QUIT"), StringComparison.Ordinal);
        Assert.True(p.WaitForExit(10_000));
        Assert.Equal(0, p.ExitCode);
        Assert.EndsWith("\nsent with -bs\n", Only(s), StringComparison.Ordinal);
        Assert.Contains("from=<bs@example.org>", s.Daemon.Log, StringComparison.Ordinal);

        // With the daemon down the client hears a 421 and sendmail says EX_TEMPFAIL.
        s.Daemon.Signal(Libc.SIGTERM);
        s.Daemon.WaitExit();
        var down = s.Sendmail(string.Empty, "-bs");
        Assert.Equal((75, "421 4.3.0 smtpd is not running, try again later\r\n"), (down.Code, down.Out));
    }

    [EndToEndFact]
    public void EveryFlagCallersPassIsAcceptedAndTheDsnFlagsReachTheEnvelope()
    {
        using var s = Start();
        Assert.Equal("command succeeded\n", s.Daemon.Ctl("pause", "mda").Out);
        var r = s.Sendmail("Subject: flags\n\nall the flags\n.\nand on\n", "-odi", "-odb", "-bm", "-oem", "-B8BITMIME", "-r", "flags@example.org", "-F", "Flag Waver", "-N", "success,delay", "-R", "hdrs", "-V", "env-123", "-i", "--", Recipient.Name + "@localhost");
        Assert.Equal((0, string.Empty, string.Empty), r);

        string line = string.Empty;
        Wait.Until(() => (line = s.Daemon.Ctl("show", "queue").Out).Length > 0, "the envelope is queued");
        string envelope = s.Daemon.Ctl("show", "envelope", line[..16]).Out;
        Assert.Contains("\nsender: flags@example.org\n", envelope, StringComparison.Ordinal);
        Assert.Contains("\ndsn-notify: 5\n", envelope, StringComparison.Ordinal);
        Assert.Contains("\ndsn-ret: HDRS\n", envelope, StringComparison.Ordinal);
        Assert.Contains("\ndsn-envid: env-123\n", envelope, StringComparison.Ordinal);

        Assert.Equal("command succeeded\n", s.Daemon.Ctl("resume", "mda").Out);
        string text = Only(s);
        Assert.Contains("\nFrom: Flag Waver <flags@example.org>\n", text, StringComparison.Ordinal);
        Assert.EndsWith("\nall the flags\n.\nand on\n", text, StringComparison.Ordinal);
    }
}
