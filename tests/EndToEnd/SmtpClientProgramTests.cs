// smtp(1) against the real daemon: a message from standard input to each recipient with -F and
// -H, each recipient's outcome on standard error as OpenSMTPD's client words it, -n, the
// UNIX-socket form of -s, LMTP's LHLO, and the refusals (usage, unknown scheme, AUTH without TLS).
using Smtpd.Interop;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public class SmtpClientProgramTests
{
    public SmtpClientProgramTests()
    {
        if (Binary.IsRoot)
        {
            Binary.EnsureSystemUsers();
        }
    }

    private static string Me => Posix.GetPwUid(Posix.GetEUid())!.Name;

    private static (int Code, string Out, string Err) Smtp(Daemon d, string? stdin, params string[] args) =>
        Binary.Run(Binary.LinkAs(d.Dir, "smtp"), args, stdin: stdin ?? string.Empty);

    /// <summary>A daemon that keeps what it accepts (local delivery paused), for the tests to look at.</summary>
    private static Daemon Holding()
    {
        var d = Daemon.Start().WaitReady();
        Assert.Equal("command succeeded\n", d.Ctl("pause", "mda").Out);
        return d;
    }

    [EndToEndFact]
    public void AMessageOnStandardInputIsSentToEveryRecipientAndEachOutcomeReported()
    {
        using var d = Holding();
        string rcpt = Me + "@localhost";
        var r = Smtp(d, "Subject: from smtp(1)\r\n\r\nfirst\r\n.leading dot\r\nlast", "-F", "cli@example.org", "-H", "helo.example.net", "-s", $"smtp://127.0.0.1:{d.Port}", rcpt, "nobody@elsewhere.invalid");
        Assert.Equal(0, r.Code);
        Assert.Equal(string.Empty, r.Out);
        Assert.Matches($@"^nobody@elsewhere\.invalid: RCPT: 5\d\d [^\n]+\n{System.Text.RegularExpressions.Regex.Escape(rcpt)}: EOM: 250 2\.0\.0 [0-9a-f]{{8}} Message accepted for delivery\n$", r.Err);
        Assert.Contains("from=<cli@example.org> to=<" + rcpt + ">", d.Log, StringComparison.Ordinal);

        string evpid = d.Ctl("show", "queue").Out[..16];
        string message = d.Ctl("show", "message", evpid).Out;
        Assert.Contains("from helo.example.net (", message, StringComparison.Ordinal);
        Assert.EndsWith("\n\nfirst\n.leading dot\nlast\n", message.Replace("\r\n", "\n", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [EndToEndFact]
    public void DashNOnlyOpensAndClosesASessionAndAUnixSocketIsAServer()
    {
        using var d = Holding();
        string socket = Path.Combine(d.Dir, "run", "smtpd-enqueue.sock");
        var r = Smtp(d, null, "-n", "-v", "-s", socket);
        Assert.Equal(0, r.Code);
        Assert.Equal($"trying host {socket}...\nconnection ready...\nconnection closed...\ndone...\n", r.Err);
        Assert.Contains("smtp connected address=local", d.Log, StringComparison.Ordinal);
        Assert.DoesNotContain("smtp message", d.Log, StringComparison.Ordinal);

        var sent = Smtp(d, "Subject: s\n\nover the socket\n", "-s", socket, Me + "@localhost");
        Assert.Equal(0, sent.Code);
        Assert.Matches(@": EOM: 250 2\.0\.0 [0-9a-f]{8} Message accepted for delivery\n$", sent.Err);
    }

    [EndToEndFact]
    public void TheDialogueIsShownWithTwoDashV()
    {
        using var d = Holding();
        var r = Smtp(d, null, "-n", "-vv", "-H", "me.example", "-s", $"127.0.0.1:{d.Port}");
        Assert.Equal(0, r.Code);
        Assert.Contains("\n<<< 220 ", r.Err, StringComparison.Ordinal);
        Assert.Contains("\n>>> EHLO me.example\n", r.Err, StringComparison.Ordinal);
        Assert.Contains("\n>>> QUIT\n<<< 221 ", r.Err, StringComparison.Ordinal);
    }

    [EndToEndFact]
    public void RefusalsAreWordedAsOpenSmtpdsClient()
    {
        using var d = Holding();
        Assert.Equal((1, "usage: smtp [-Chnv] [-a authfile] [-F from] [-H helo] [-s server] [-T params] [recipient ...]\n"), (Smtp(d, null, "-h").Code, Smtp(d, null, "-h").Err));
        Assert.Equal((1, "smtp: invalid url scheme gopher\n"), (Smtp(d, null, "-n", "-s", "gopher://localhost").Code, Smtp(d, null, "-n", "-s", "gopher://localhost").Err));

        // LMTP says LHLO, which an SMTP server refuses: no address completes a session.
        var lmtp = Smtp(d, "x\n", "-s", $"lmtp://127.0.0.1:{d.Port}", Me + "@localhost");
        Assert.Equal(1, lmtp.Code);
        Assert.Matches(@"^rejected by server: 5\d\d [^\n]*\nsmtp: no more host\n$", lmtp.Err);

        // Credentials never go over a plain connection.
        string auth = Path.Combine(d.Dir, "auth");
        File.WriteAllText(auth, "user\nsecret\n");
        var noTls = Smtp(d, "x\n", "-a", auth, "-s", $"smtp://127.0.0.1:{d.Port}", Me + "@localhost");
        Assert.Equal((1, "missing feature: Authentication requires TLS\nsmtp: no more host\n"), (noTls.Code, noTls.Err));
        Assert.DoesNotContain("AUTH", d.Log, StringComparison.Ordinal);

        // smtps expects TLS from the first byte; a plain server cannot give it.
        var smtps = Smtp(d, "x\n", "-s", $"smtps://127.0.0.1:{d.Port}", Me + "@localhost");
        Assert.Equal(1, smtps.Code);
        Assert.StartsWith("connection error: ", smtps.Err, StringComparison.Ordinal);
        Assert.EndsWith("\nsmtp: no more host\n", smtps.Err, StringComparison.Ordinal);
    }
}
