// What a user finds at the top of a delivered message: Return-Path (the envelope sender) and
// Delivered-To (the recipient the client named), above the Received header, whichever way the
// mail was stored: maildir, mbox (below the From_ line), an mda command's input. Dovecot's LMTP
// store is covered in LmtpDeliveryTests.
using Smtpd.Interop;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public class DeliveryHeadersTests
{
    private const string TestUser = "smtpdtest";

    public DeliveryHeadersTests()
    {
        if (Binary.IsRoot && Binary.Path is not null)
        {
            Binary.EnsureSystemUsers();
            Binary.EnsureUser(TestUser);
        }
    }

    private static PasswdEntry Recipient => Binary.IsRoot ? Posix.GetPwNam(TestUser)! : Posix.GetPwUid(Posix.GetEUid())!;

    /// <summary>A directory the recipient may write in, removed afterwards.</summary>
    private sealed class OwnedDir : IDisposable
    {
        public OwnedDir()
        {
            Directory.CreateDirectory(Path);
            Binary.Run("chown", [$"{Recipient.Uid}:{Recipient.Gid}", Path]);
        }

        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "smtpd-hdr-" + Guid.NewGuid().ToString("N"));

        public void Dispose() => Directory.Delete(Path, true);
    }

    private static Daemon Start(string action) =>
        Daemon.Start($"listen on 127.0.0.1 port {{PORT}}\naction \"local\" {action}\nmatch from any for local action \"local\"\n").WaitReady();

    private static void Send(Daemon d, string from, string rcpt, string body)
    {
        using var c = new SmtpClientHelper(d.Port);
        Assert.StartsWith("250 ", c.SendMail(from, [rcpt], body), StringComparison.Ordinal);
    }

    private static string NewMaildirFile(string maildir)
    {
        string dir = Path.Combine(maildir, "new");
        Wait.Until(() => Directory.Exists(dir) && Directory.GetFiles(dir).Length == 1, "the message is in new/");
        return File.ReadAllText(Directory.GetFiles(dir)[0]);
    }

    [EndToEndFact]
    public void AMaildirMessageStartsWithReturnPathAndDeliveredToAboveReceived()
    {
        using var mail = new OwnedDir();
        using var d = Start($"maildir \"{mail.Path}/%{{user.username}}\"");
        string rcpt = $"{Recipient.Name}@localhost";
        Send(d, "sender@example.net", rcpt, "Subject: headers\n\nbody\n");
        string text = NewMaildirFile(Path.Combine(mail.Path, Recipient.Name));
        Assert.StartsWith($"Return-Path: <sender@example.net>\nDelivered-To: {rcpt}\nReceived: from client.example.net", text, StringComparison.Ordinal);
        Assert.EndsWith("Subject: headers\n\nbody\n", text, StringComparison.Ordinal);
    }

    [EndToEndFact]
    public void DeliveredToNamesTheAddressTheClientGaveNotTheUserItReached()
    {
        // A sub-address reaches the same user; the header keeps what the client wrote in RCPT TO.
        using var mail = new OwnedDir();
        using var d = Start($"maildir \"{mail.Path}/%{{user.username}}\"");
        string rcpt = $"{Recipient.Name}+news@localhost";
        Send(d, "sender@example.net", rcpt, "Subject: sub\n\nbody\n");
        string text = NewMaildirFile(Path.Combine(mail.Path, Recipient.Name));
        Assert.StartsWith($"Return-Path: <sender@example.net>\nDelivered-To: {rcpt}\n", text, StringComparison.Ordinal);
    }

    [EndToEndFact]
    public void MailFromTheNullSenderGetsDeliveredToOnly()
    {
        using var mail = new OwnedDir();
        using var d = Start($"maildir \"{mail.Path}/%{{user.username}}\"");
        string rcpt = $"{Recipient.Name}@localhost";
        Send(d, string.Empty, rcpt, "Subject: a report\n\nbody\n");
        string text = NewMaildirFile(Path.Combine(mail.Path, Recipient.Name));
        Assert.StartsWith($"Delivered-To: {rcpt}\nReceived: ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Return-Path", text, StringComparison.Ordinal);
    }

    [EndToEndFact]
    public void AnMdaCommandReadsTheDeliveryHeadersFirstOnItsInput()
    {
        using var outDir = new OwnedDir();
        using var d = Start($"mda \"cat > {outDir.Path}/got\"");
        string rcpt = $"{Recipient.Name}@localhost";
        Send(d, "sender@example.net", rcpt, "Subject: piped\n\nbody\n");
        Wait.Until(() => d.Log.Contains("result=Ok", StringComparison.Ordinal), "the command ran:\n" + d.Log);
        string text = File.ReadAllText(Path.Combine(outDir.Path, "got"));
        Assert.StartsWith($"Return-Path: <sender@example.net>\nDelivered-To: {rcpt}\nReceived: from client.example.net", text, StringComparison.Ordinal);
        Assert.EndsWith("Subject: piped\n\nbody\n", text, StringComparison.Ordinal);
    }

    [EndToEndFact(needsRoot: true)]
    public void AnMboxMessageHasTheDeliveryHeadersRightBelowItsFromLine()
    {
        string mbox = Path.Combine("/var/mail", TestUser);
        File.Delete(mbox);
        try
        {
            using var d = Start("mbox");
            Send(d, "sender@example.net", $"{TestUser}@localhost", "Subject: mbox\n\nbody\n");
            Wait.Until(() => d.Log.Contains("result=Ok", StringComparison.Ordinal), "the mbox delivery is done:\n" + d.Log);
            string[] lines = File.ReadAllText(mbox).Split('\n');
            Assert.StartsWith("From sender@example.net ", lines[0], StringComparison.Ordinal);
            Assert.Equal(["Return-Path: <sender@example.net>", $"Delivered-To: {TestUser}@localhost"], lines[1..3]);
            Assert.StartsWith("Received: from client.example.net", lines[3], StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(mbox);
        }
    }
}
