// `action "x" lmtp ...` end to end against a real Dovecot LMTP server: mail in over SMTP, handed
// over LMTP (UNIX socket and TCP) by the delivery helper as the recipient user, stored by Dovecot
// in its maildir; and a recipient Dovecot does not know is a permanent failure.
using Smtpd.Interop;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public class LmtpDeliveryTests
{
    private const string TestUser = "smtpdtest";

    public LmtpDeliveryTests()
    {
        if (Binary.IsRoot && Binary.Path is not null)
        {
            Binary.EnsureSystemUsers();
            Binary.EnsureUser(TestUser);

            DovecotLmtp.EnsureInstalled();
        }
    }

    private static PasswdEntry Recipient => Posix.GetPwNam(TestUser)!;

    private static Daemon StartDaemon(string lmtpAction) =>
        Daemon.Start($"listen on 127.0.0.1 port {{PORT}}\naction \"lmtp\" {lmtpAction}\nmatch from any for local action \"lmtp\"\n").WaitReady();

    private static void Send(Daemon d, string body)
    {
        using var c = new SmtpClientHelper(d.Port);
        Assert.StartsWith("250 ", c.SendMail("sender@example.net", [$"{Recipient.Name}@localhost"], body), StringComparison.Ordinal);
        Assert.StartsWith("221", c.Command("QUIT"), StringComparison.Ordinal);
    }

    private static void AssertDeliveredInto(DovecotLmtp dovecot, Daemon d)
    {
        Wait.Until(() => dovecot.Delivered().Count == 1, "Dovecot stores the message:\n" + d.Log + dovecot.Log);
        string text = File.ReadAllText(dovecot.Delivered()[0]);
        // Dovecot keeps LF line ends and takes the dot-stuffing off again.
        Assert.Contains("Subject: over lmtp\n\nfirst line\n.leading dot\n..two dots\nlast line\n", text, StringComparison.Ordinal);
        // The delivery headers travel in the LMTP data, above our Received header.
        Assert.Contains($"Return-Path: <sender@example.net>\nDelivered-To: {Recipient.Name}@localhost\nReceived: from client.example.net", text, StringComparison.Ordinal);
        Assert.Equal(Recipient.Uid, Posix.TryLStat(dovecot.Delivered()[0])!.Value.Uid);
        Wait.Until(() => d.Log.Contains("result=Ok stat=Delivered", StringComparison.Ordinal), "the delivery is logged:\n" + d.Log);
        Assert.Matches($@"mda delivery evpid=[0-9a-f]{{16}} from=<sender@example\.net> to=<{Recipient.Name}@localhost> rcpt=<{Recipient.Name}@localhost> user={Recipient.Name} delay=\d+s result=Ok stat=Delivered", d.Log);
        // RCPT TO was the user name, and the session came from the delivery helper.
        Assert.Contains($"lmtp({Recipient.Name})", dovecot.Log, StringComparison.Ordinal);
    }

    // As it goes over SMTP, dot-stuffed by hand (the test client sends it verbatim): the queue
    // holds ".leading dot" and "..two dots", which the LMTP leg must stuff again.
    private const string Body = "Subject: over lmtp\n\nfirst line\n..leading dot\n...two dots\nlast line\n";

    [EndToEndFact(needsRoot: true)]
    public void AMessageIsHandedToDovecotOverItsUnixSocket()
    {
        using var dovecot = DovecotLmtp.Start(Recipient);
        using var d = StartDaemon($"lmtp \"{dovecot.Socket}\"");
        Send(d, Body);
        AssertDeliveredInto(dovecot, d);
        Assert.Contains("Connect from local", dovecot.Log, StringComparison.Ordinal);
    }

    [EndToEndFact(needsRoot: true)]
    public void AMessageIsHandedToDovecotOverTcp()
    {
        using var dovecot = DovecotLmtp.Start(Recipient);
        using var d = StartDaemon($"lmtp \"127.0.0.1:{dovecot.Port}\"");
        Send(d, Body);
        AssertDeliveredInto(dovecot, d);
        Assert.Contains("Connect from 127.0.0.1", dovecot.Log, StringComparison.Ordinal);
    }

    [EndToEndFact(needsRoot: true)]
    public void WithRcptToTheFullAddressIsSentAndDovecotsUnknownUserIsAPermFail()
    {
        // Dovecot knows the user name only, so the address rcpt-to sends is an unknown user.
        using var dovecot = DovecotLmtp.Start(Recipient);
        using var d = StartDaemon($"lmtp \"{dovecot.Socket}\" rcpt-to");
        Send(d, Body);
        Wait.Until(() => d.Log.Contains("result=PermFail", StringComparison.Ordinal), "the refusal is logged:\n" + d.Log + dovecot.Log);
        Assert.Matches($@"result=PermFail stat=Error \(LMTP server error: 550 5\.1\.1 <{Recipient.Name}@localhost> User doesn't exist: {Recipient.Name}@localhost\)", d.Log);
        Assert.Empty(dovecot.Delivered());
    }

    [EndToEndFact(needsRoot: true)]
    public void ADovecotThatIsNotRunningIsATempFailAndTheMessageStaysQueued()
    {
        string gone;
        using (var dovecot = DovecotLmtp.Start(Recipient))
        {
            gone = dovecot.Socket;
        }

        using var d = StartDaemon($"lmtp \"{gone}\"");
        Send(d, Body);
        Wait.Until(() => d.Log.Contains("result=TempFail", StringComparison.Ordinal), "the attempt is deferred:\n" + d.Log);
        Assert.Matches(@"result=TempFail stat=Error \(connect: [^)]+\)", d.Log);
        Assert.NotEmpty(Directory.EnumerateFiles(Path.Combine(d.Spool, "queue"), "message", SearchOption.AllDirectories));
    }
}
