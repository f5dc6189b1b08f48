// STARTTLS, smtps and AUTH: the replies and state around the hooks the host implements.
using System.Text;
using Smtpd.Smtp;

namespace Smtpd.Tests.Smtp;

public class SmtpSessionTlsAuthTests
{
    private static readonly SmtpListenerOptions s_tls = SmtpHarness.DefaultOptions with { StartTls = true };
    private static readonly SmtpListenerOptions s_auth = s_tls with { Auth = true };

    private static string B64(string s) => Convert.ToBase64String(Encoding.Latin1.GetBytes(s));

    /// <summary>Greeting, EHLO, STARTTLS and EHLO again: a session ready to authenticate.</summary>
    private static async Task<SmtpHarness> SecuredAsync(SmtpListenerOptions options, FakeSmtpHost? host = null)
    {
        SmtpHarness h = SmtpHarness.Start(options, host, time: FixedTimeProvider.Default);
        await h.ReadReplyAsync();
        await h.ExchangeAsync("EHLO c.example");
        Assert.Equal("220 2.0.0 Ready to start TLS", await h.ExchangeAsync("STARTTLS"));
        await h.ExchangeAsync("EHLO c.example");
        return h;
    }

    [Fact]
    public async Task StartTlsIsOfferedOnlyUntilTheChannelIsSecure()
    {
        await using SmtpHarness h = SmtpHarness.Start(s_auth);
        await h.ReadReplyAsync();
        string before = await h.ExchangeAsync("EHLO c.example");
        Assert.EndsWith("250-DSN\n250-STARTTLS\n250 HELP", before, StringComparison.Ordinal);
        Assert.Equal("220 2.0.0 Ready to start TLS", await h.ExchangeAsync("STARTTLS"));
        string after = await h.ExchangeAsync("EHLO c.example");
        Assert.EndsWith("250-DSN\n250-AUTH PLAIN LOGIN\n250 HELP", after, StringComparison.Ordinal);
        Assert.Equal("503 5.5.1 Invalid command: Channel already secured", await h.ExchangeAsync("STARTTLS"));
        Assert.Contains("0123456789abcdef smtp tls ciphers=TLSv1.3:TLS_AES_256_GCM_SHA384:256", h.Host.Logs);
    }

    [Fact]
    public async Task PlaintextSentAlongWithStartTlsIsDiscardedAndHeloIsForgotten()
    {
        await using SmtpHarness h = SmtpHarness.Start(s_tls);
        await h.ReadReplyAsync();
        await h.ExchangeAsync("EHLO c.example");
        await h.SendAsync("STARTTLS\r\nMAIL FROM:<injected@example.org>\r\n");
        Assert.Equal("220 2.0.0 Ready to start TLS", await h.ReadReplyAsync());
        Assert.Equal("503 5.5.1 Invalid command: Command not allowed at this point.", await h.ExchangeAsync("MAIL FROM:<>"));
        Assert.Empty(h.Host.Senders);
        Assert.Equal(1, h.Host.TlsStarted);
    }

    [Theory]
    [InlineData("STARTTLS now", "501 5.5.4 Invalid command arguments: No parameters allowed")]
    [InlineData("STARTTLS ", "501 5.5.4 Invalid command arguments: No parameters allowed")]
    public async Task StartTlsTakesNoArguments(string command, string reply)
    {
        Assert.Equal(reply, await SmtpHarness.LastReplyAsync("EHLO c.example\r\n" + command + "\r\n", s_tls));
    }

    [Fact]
    public async Task AFailedHandshakeEndsTheSession()
    {
        var host = new FakeSmtpHost { TlsPolicy = _ => null };
        (List<string> lines, _) = await SmtpHarness.TranscriptAsync("EHLO c.example\r\nSTARTTLS\r\n", s_tls, host);
        Assert.Equal("220 2.0.0 Ready to start TLS", lines[^1]);
        Assert.Equal("0123456789abcdef smtp disconnected reason=tls-accept-failed", host.Logs[^1]);
    }

    [Fact]
    public async Task SmtpsStartsTlsBeforeTheBanner()
    {
        SmtpListenerOptions options = SmtpHarness.DefaultOptions with { Smtps = true };
        (List<string> lines, FakeSmtpHost host) = await SmtpHarness.TranscriptAsync("EHLO c.example\r\n", options);
        Assert.Equal("220 mx.example.org ESMTP OpenSMTPD", lines[0]);
        Assert.Equal(1, host.TlsStarted);
        Assert.Equal("0123456789abcdef smtp tls ciphers=TLSv1.3:TLS_AES_256_GCM_SHA384:256", host.Logs[1]);
    }

    [Fact]
    public async Task AuthPlainWithAnInitialResponseAuthenticates()
    {
        await using SmtpHarness h = await SecuredAsync(s_auth with { ReceivedAuth = true });
        Assert.Equal("235 2.0.0 Authentication succeeded", await h.ExchangeAsync("AUTH PLAIN " + B64("\0alice\0secret")));
        Assert.Equal("503 5.5.1 Invalid command: Already authenticated", await h.ExchangeAsync("AUTH PLAIN " + B64("\0alice\0secret")));
        await h.SendAsync("MAIL FROM:<alice@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n\r\nhi\r\n.\r\n");
        for (int i = 0; i < 4; i++)
        {
            await h.ReadReplyAsync();
        }

        Assert.Contains("0123456789abcdef smtp authentication user=alice result=ok", h.Host.Logs);
        Assert.Equal([("alice", "secret")], h.Host.AuthAsked);
        Assert.StartsWith(
            "Received: from c.example (client.example.org [192.0.2.1])\n\tby mx.example.org (OpenSMTPD) with ESMTPSA id 1a2b3c4d (TLSv1.3:TLS_AES_256_GCM_SHA384:256:NO) auth=yes user=alice\n",
            h.Host.LastMessage,
            StringComparison.Ordinal);
    }

    [Fact]
    public async Task AuthPlainCanSendItsResponseOnTheNextLine()
    {
        await using SmtpHarness h = await SecuredAsync(s_auth);
        Assert.Equal("334 ", await h.ExchangeAsync("AUTH PLAIN"));
        Assert.Equal("235 2.0.0 Authentication succeeded", await h.ExchangeAsync(B64("admin\0alice\0secret")));
    }

    [Fact]
    public async Task AuthLoginAsksForUserAndPassword()
    {
        await using SmtpHarness h = await SecuredAsync(s_auth);
        Assert.Equal("334 VXNlcm5hbWU6", await h.ExchangeAsync("AUTH LOGIN"));
        Assert.Equal("334 UGFzc3dvcmQ6", await h.ExchangeAsync(B64("alice")));
        Assert.Equal("235 2.0.0 Authentication succeeded", await h.ExchangeAsync(B64("secret")));
    }

    [Fact]
    public async Task AuthLoginMayCarryTheUserName()
    {
        await using SmtpHarness h = await SecuredAsync(s_auth);
        Assert.Equal("334 UGFzc3dvcmQ6", await h.ExchangeAsync("AUTH LOGIN " + B64("alice")));
        Assert.Equal("535 Authentication failed", await h.ExchangeAsync(B64("wrong")));
        Assert.Contains("0123456789abcdef smtp authentication user=alice result=permfail", h.Host.Logs);
        Assert.Contains("0123456789abcdef smtp failed-command command=\"AUTH LOGIN (password)\" result=\"535 Authentication failed\"", h.Host.Logs);
        Assert.Equal("250 2.0.0 Ok", await h.ExchangeAsync("NOOP"));
    }

    [Fact]
    public async Task AWrongPasswordIsRefusedAndLoggedWithoutTheSecret()
    {
        await using SmtpHarness h = await SecuredAsync(s_auth);
        Assert.Equal("535 Authentication failed", await h.ExchangeAsync("AUTH PLAIN " + B64("\0al ice\0nope")));
        Assert.Contains("0123456789abcdef smtp authentication user=al\\040ice result=permfail", h.Host.Logs);
        Assert.Contains("0123456789abcdef smtp failed-command command=\"AUTH PLAIN (...)\" result=\"535 Authentication failed\"", h.Host.Logs);
        Assert.DoesNotContain(h.Host.Logs, l => l.Contains("nope", StringComparison.Ordinal));
    }

    /// <summary>A refused AUTH leaves nothing behind: the message that follows is received as from an
    /// unauthenticated client (Received says ESMTPS, no user), and the session can still authenticate.</summary>
    [Theory]
    [InlineData("PLAIN")]
    [InlineData("LOGIN")]
    public async Task AFailedAuthLeavesTheSessionUnauthenticated(string method)
    {
        await using SmtpHarness h = await SecuredAsync(s_auth with { ReceivedAuth = true });
        if (method == "PLAIN")
        {
            Assert.Equal("535 Authentication failed", await h.ExchangeAsync("AUTH PLAIN " + B64("\0alice\0wrong")));
        }
        else
        {
            Assert.Equal("334 UGFzc3dvcmQ6", await h.ExchangeAsync("AUTH LOGIN " + B64("alice")));
            Assert.Equal("535 Authentication failed", await h.ExchangeAsync(B64("wrong")));
        }

        Assert.Equal(string.Empty, h.Session.Username);
        Assert.False(h.Session.Flags.HasFlag(SmtpSessionFlags.Authenticated));
        await h.SendAsync("MAIL FROM:<alice@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n\r\nhi\r\n.\r\n");
        for (int i = 0; i < 4; i++)
        {
            await h.ReadReplyAsync();
        }

        Assert.Equal(
            "Received: from c.example (client.example.org [192.0.2.1])\n\tby mx.example.org (OpenSMTPD) with ESMTPS id 1a2b3c4d (TLSv1.3:TLS_AES_256_GCM_SHA384:256:NO) auth=no",
            string.Join("\n", h.Host.LastMessage.Split('\n')[..2]));
        Assert.Equal("235 2.0.0 Authentication succeeded", await h.ExchangeAsync("AUTH PLAIN " + B64("\0alice\0secret")));
        Assert.Equal("alice", h.Session.Username);
    }

    [Fact]
    public async Task ATemporaryFailureKeepsTheSession()
    {
        var host = new FakeSmtpHost { AuthPolicy = (_, _) => SmtpLookupResult.TempFail };
        await using SmtpHarness h = await SecuredAsync(s_auth, host);
        Assert.Equal("421 4.3.0 Temporary failure", await h.ExchangeAsync("AUTH PLAIN " + B64("\0alice\0secret")));
        Assert.Equal("250 2.0.0 Ok", await h.ExchangeAsync("NOOP"));
    }

    [Theory]
    [InlineData("AUTH PLAIN !!!!", "501 5.5.2 Syntax error: Syntax error")]
    [InlineData("AUTH PLAIN AGFsaWNl", "501 5.5.2 Syntax error: Syntax error")]
    [InlineData("AUTH CRAM-MD5", "504 5.7.4 Security features not supported: AUTH method \"CRAM-MD5\" not supported")]
    [InlineData("AUTH", "501 5.5.4 Invalid command arguments: No parameters given")]
    public async Task MalformedAuthIsRefused(string command, string reply)
    {
        await using SmtpHarness h = await SecuredAsync(s_auth);
        Assert.Equal(reply, await h.ExchangeAsync(command));
        Assert.Empty(h.Host.AuthAsked);
    }

    [Theory]
    [InlineData("\0ali\nce\0secret")]
    [InlineData("\0alice\0sec\rret")]
    public async Task LineBreaksInCredentialsNeverReachTheHost(string plain)
    {
        await using SmtpHarness h = await SecuredAsync(s_auth);
        Assert.Equal("501 5.5.2 Syntax error: Syntax error", await h.ExchangeAsync("AUTH PLAIN " + B64(plain)));
        Assert.Equal("334 UGFzc3dvcmQ6", await h.ExchangeAsync("AUTH LOGIN " + B64("alice")));
        Assert.Equal("501 5.5.2 Syntax error: Syntax error", await h.ExchangeAsync(B64("se\ncret")));
        Assert.Empty(h.Host.AuthAsked);
    }

    [Fact]
    public async Task TheThirdFailedAuthGets421AndEndsTheSession()
    {
        await using SmtpHarness h = await SecuredAsync(s_auth);
        Assert.Equal("535 Authentication failed", await h.ExchangeAsync("AUTH PLAIN " + B64("\0alice\0one")));
        Assert.Equal("535 Authentication failed", await h.ExchangeAsync("AUTH PLAIN " + B64("\0alice\0two")));
        Assert.Equal("421 4.7.0 mx.example.org Too many authentication failures, closing connection", await h.ExchangeAsync("AUTH PLAIN " + B64("\0alice\0three")));
        Assert.Null(await h.ReadLineAsync());
        await h.WaitAsync();
        Assert.Equal(3, h.Host.AuthAsked.Count);
        Assert.Equal("0123456789abcdef smtp disconnected reason=too-many-auth-failures", h.Host.Logs[^1]);
    }

    [Fact]
    public async Task TheAuthFailureLimitIsConfigurable()
    {
        await using SmtpHarness h = await SecuredAsync(s_auth with { MaxAuthFailures = 1 });
        Assert.StartsWith("421 4.7.0 ", await h.ExchangeAsync("AUTH PLAIN " + B64("\0alice\0one")), StringComparison.Ordinal);
        Assert.Null(await h.ReadLineAsync());
    }

    [Fact]
    public async Task AuthIsNotOfferedInThePlain()
    {
        Assert.Equal("503 5.5.1 Invalid command: Command not supported", await SmtpHarness.LastReplyAsync("EHLO c.example\r\nAUTH PLAIN\r\n", s_auth));
    }

    [Fact]
    public async Task TracesNeverShowCredentials()
    {
        await using SmtpHarness h = await SecuredAsync(s_auth);
        await h.ExchangeAsync("AUTH PLAIN " + B64("\0alice\0secret"));
        await h.ExchangeAsync("RSET");
        Assert.Contains("smtp: 0123456789abcdef: <<< AUTH PLAIN ********", h.Host.Traces);
        Assert.DoesNotContain(h.Host.Traces, t => t.Contains(B64("\0alice\0secret"), StringComparison.Ordinal));
    }

    [Fact]
    public async Task TracesOfAuthLoginResponsesAreMasked()
    {
        await using SmtpHarness h = await SecuredAsync(s_auth);
        await h.ExchangeAsync("AUTH LOGIN");
        await h.ExchangeAsync(B64("alice"));
        await h.ExchangeAsync(B64("secret"));
        Assert.Equal(2, h.Host.Traces.Count(t => t.EndsWith("<<< ********", StringComparison.Ordinal)));
    }
}
