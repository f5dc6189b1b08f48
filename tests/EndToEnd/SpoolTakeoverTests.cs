// A spool left by OpenSMTPD is delivered, not expired: OpenSMTPD writes "ttl: 0" in its
// envelopes and takes the lifetime from the action or the queue instead, and so do we.
using Smtpd.Interop;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public class SpoolTakeoverTests
{
    private const string TestUser = "smtpdtest";

    public SpoolTakeoverTests()
    {
        if (Binary.IsRoot)
        {
            Binary.EnsureSystemUsers();
            Binary.EnsureUser(TestUser);
        }
    }

    private static PasswdEntry Recipient => Binary.IsRoot ? Posix.GetPwNam(TestUser)! : Posix.GetPwUid(Posix.GetEUid())!;

    // An envelope as Debian's OpenSMTPD 6.8 wrote it for "sendmail -f root smtpdinst", with
    // the names changed; the creation time is filled in when the test runs.
    private static string OpenSmtpdEnvelope(string user, long ctime) =>
        $"version: 3\ndispatcher: local\ntype: mda\nsmtpname: vm\nhelo: localhost\nhostname: vm\n" +
        $"sockaddr: local\nsender: root@vm\nrcpt: {user}@localhost\ndest: {user}@localhost\n" +
        $"ctime: {ctime}\nlast-try: 0\nlast-bounce: 0\nttl: 0\nretry: 0\nflags: authenticated\n" +
        $"dsn-notify: 0\nmda-user: {user}\n";

    [EndToEndFact]
    public void MailQueuedByOpenSmtpdWithTtlZeroIsDeliveredNotExpired()
    {
        string mail = Directory.CreateTempSubdirectory("smtpd-takeover-").FullName;
        Binary.Run("chown", [$"{Recipient.Uid}:{Recipient.Gid}", mail]);
        long ctime = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 60;
        string conf = $"listen on 127.0.0.1 port {{PORT}}\naction \"local\" maildir \"{mail}/%{{user.username}}\"\nmatch from any for local action \"local\"\n";
        using var d = Daemon.Start(conf, prepare: dir =>
        {
            string msgDir = Path.Combine(dir, "spool", "queue", "6b", "6bc73007");
            Directory.CreateDirectory(msgDir);
            File.WriteAllText(Path.Combine(msgDir, "message"), "Received: from vm (localhost)\nSubject: queued by opensmtpd\n\nstill here\n");
            File.WriteAllText(Path.Combine(msgDir, "6bc7300736f52e3c"), OpenSmtpdEnvelope(Recipient.Name, ctime));
            if (Binary.IsRoot)
            {
                Binary.Run("chown", ["-R", "_smtpq", Path.Combine(dir, "spool", "queue")]);
            }
        });
        d.WaitReady();

        string newDir = Path.Combine(mail, Recipient.Name, "new");
        Wait.Until(() => Directory.Exists(newDir) && Directory.EnumerateFiles(newDir).Any(), "the queued message is delivered:\n" + d.Log);
        Assert.Contains("still here", File.ReadAllText(Directory.EnumerateFiles(newDir).Single()), StringComparison.Ordinal);
        Assert.DoesNotContain("Envelope expired", d.Log, StringComparison.Ordinal);
        Directory.Delete(mail, recursive: true);
    }

    // An envelope as OpenSMTPD 7.8 writes it on reception (not tried yet) for mail from an
    // authenticated SMTP client with DSN parameters, to a subaddress (envelope.c's dump: every
    // field it writes for such mail, in its order), with the names changed.
    private static string OpenSmtpd78Envelope(string user, long ctime) =>
        $"version: 3\ndispatcher: local\ntag: MSA\ntype: mda\nsmtpname: mx.example.org\nhelo: client.example.net\n" +
        $"hostname: client.example.net\nusername: alice\nsockaddr: [2001:db8::25]\nsender: alice@example.net\n" +
        $"rcpt: {user}+lists@localhost\ndest: {user}@localhost\nctime: {ctime}\nlast-try: 0\nlast-bounce: 0\n" +
        $"ttl: 0\nretry: 0\nflags: authenticated\ndsn-notify: 6\ndsn-ret: HDRS\ndsn-envid: QQ314159\n" +
        $"dsn-orcpt: rfc822;{user}+lists@localhost\nmda-subaddress: lists\nmda-user: {user}\n";

    [EndToEndFact]
    public void MailQueuedInOpenSmtpd78sEnvelopeFormatIsDelivered()
    {
        string mail = Directory.CreateTempSubdirectory("smtpd-takeover78-").FullName;
        Binary.Run("chown", [$"{Recipient.Uid}:{Recipient.Gid}", mail]);
        long ctime = DateTimeOffset.UtcNow.ToUnixTimeSeconds() - 120;
        string conf = $"listen on 127.0.0.1 port {{PORT}}\naction \"local\" maildir \"{mail}/%{{user.username}}\"\nmatch from any for local action \"local\"\n";
        using var d = Daemon.Start(conf, prepare: dir =>
        {
            string msgDir = Path.Combine(dir, "spool", "queue", "3e", "3e1f0a42");
            Directory.CreateDirectory(msgDir);
            File.WriteAllText(Path.Combine(msgDir, "message"),
                "Received: from client.example.net ([2001:db8::25])\n\tby mx.example.org (OpenSMTPD) with ESMTPSA id 3e1f0a42\n\t(TLSv1.3:TLS_AES_256_GCM_SHA384:256:NO)\n\tauth=yes user=alice\n\tfor <lists>;\n" +
                "From: alice@example.net\nSubject: queued by opensmtpd 7.8\n\nwritten in 7.8's format\n");
            File.WriteAllText(Path.Combine(msgDir, "3e1f0a42d5c6b7a8"), OpenSmtpd78Envelope(Recipient.Name, ctime));
            if (Binary.IsRoot)
            {
                Binary.Run("chown", ["-R", "_smtpq", Path.Combine(dir, "spool", "queue")]);
            }
        });
        d.WaitReady();

        string newDir = Path.Combine(mail, Recipient.Name, "new");
        Wait.Until(() => Directory.Exists(newDir) && Directory.EnumerateFiles(newDir).Any(), "the queued message is delivered:\n" + d.Log);
        string delivered = File.ReadAllText(Directory.EnumerateFiles(newDir).Single());
        Assert.Contains("written in 7.8's format", delivered, StringComparison.Ordinal);
        // The envelope's recipient (with its subaddress) and sender are the ones delivered to.
        Assert.Contains($"Delivered-To: {Recipient.Name}+lists@localhost", delivered, StringComparison.Ordinal);
        Assert.Contains("Return-Path: <alice@example.net>", delivered, StringComparison.Ordinal);
        Assert.DoesNotContain("Envelope expired", d.Log, StringComparison.Ordinal);
        Directory.Delete(mail, recursive: true);
    }

    [EndToEndFact]
    public void AnActionsTtlBoundsHowLongItsMailWaits()
    {
        string conf = "listen on 127.0.0.1 port {PORT}\n" +
            $"action \"hold\" mda \"exit 75\" user {Recipient.Name} ttl 3s\n" +
            "match from any for local action \"hold\"\n";
        using var d = Daemon.Start(conf).WaitReady();
        using (var c = new SmtpClientHelper(d.Port))
        {
            Assert.StartsWith("250 ", c.SendMail("sender@example.net", [$"{Recipient.Name}@localhost"], "Subject: waits\n\nx\n"), StringComparison.Ordinal);
        }

        Wait.Until(() => d.Log.Contains("reason=\"Envelope expired\"", StringComparison.Ordinal), "the envelope expires after the action's ttl:\n" + d.Log);
    }
}
