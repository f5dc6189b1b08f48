// AUTH around the rest of the session, as smtp_session.c answers: the `auth` listener option
// refuses MAIL until AUTH succeeded, AUTH is refused inside a transaction, a `*` cancel and a
// response too long for its buffer are syntax errors, and the senders check's verdicts.
using System.Text;
using Smtpd.Smtp;

namespace Smtpd.Tests.Smtp;

public class SmtpSessionAuthRulesTests
{
    private static readonly SmtpListenerOptions s_auth = SmtpHarness.DefaultOptions with { StartTls = true, Auth = true };

    private static string B64(string s) => Convert.ToBase64String(Encoding.Latin1.GetBytes(s));

    private static async Task<SmtpHarness> SecuredAsync(SmtpListenerOptions options, FakeSmtpHost? host = null)
    {
        SmtpHarness h = SmtpHarness.Start(options, host, time: FixedTimeProvider.Default);
        await h.ReadReplyAsync();
        await h.ExchangeAsync("EHLO c.example");
        await h.ExchangeAsync("STARTTLS");
        await h.ExchangeAsync("EHLO c.example");
        return h;
    }

    [Fact]
    public async Task AuthRequiredRefusesMailUntilAuthSucceeded()
    {
        await using SmtpHarness h = await SecuredAsync(s_auth with { AuthRequired = true });
        Assert.Equal("530 5.5.1 Invalid command: Must issue an AUTH command first", await h.ExchangeAsync("MAIL FROM:<alice@example.org>"));
        Assert.Equal("535 Authentication failed", await h.ExchangeAsync("AUTH PLAIN " + B64("\0alice\0wrong")));
        Assert.Equal("530 5.5.1 Invalid command: Must issue an AUTH command first", await h.ExchangeAsync("MAIL FROM:<alice@example.org>"));
        Assert.Equal("235 2.0.0 Authentication succeeded", await h.ExchangeAsync("AUTH PLAIN " + B64("\0alice\0secret")));
        Assert.Equal("250 2.0.0 Ok", await h.ExchangeAsync("MAIL FROM:<alice@example.org>"));
    }

    [Fact]
    public async Task AuthOptionalTakesMailWithoutAuth()
    {
        await using SmtpHarness h = await SecuredAsync(s_auth);
        Assert.Equal("250 2.0.0 Ok", await h.ExchangeAsync("MAIL FROM:<alice@example.org>"));
        Assert.Empty(h.Host.AuthAsked);
    }

    [Fact]
    public async Task AuthInsideATransactionIsNotAllowed()
    {
        await using SmtpHarness h = await SecuredAsync(s_auth);
        await h.ExchangeAsync("MAIL FROM:<alice@example.org>");
        Assert.Equal("503 5.5.1 Invalid command: Command not allowed at this point.", await h.ExchangeAsync("AUTH PLAIN " + B64("\0alice\0secret")));
        Assert.Empty(h.Host.AuthAsked);
    }

    [Fact]
    public async Task AuthBeforeEhloIsNotAllowed()
    {
        Assert.Equal("503 5.5.1 Invalid command: Command not allowed at this point.", await SmtpHarness.LastReplyAsync("AUTH PLAIN\r\n", s_auth));
    }

    [Theory]
    [InlineData("PLAIN")]
    [InlineData("LOGIN")]
    public async Task AStarCancelsTheExchangeWithASyntaxError(string method)
    {
        await using SmtpHarness h = await SecuredAsync(s_auth);
        Assert.StartsWith("334 ", await h.ExchangeAsync("AUTH " + method), StringComparison.Ordinal);
        Assert.Equal("501 5.5.2 Syntax error: Syntax error", await h.ExchangeAsync("*"));
        Assert.Equal("250 2.0.0 Ok", await h.ExchangeAsync("NOOP"));
        Assert.Equal("235 2.0.0 Authentication succeeded", await h.ExchangeAsync("AUTH PLAIN " + B64("\0alice\0secret")));
    }

    [Fact]
    public async Task AnOverlongPlainResponseIsASyntaxError()
    {
        await using SmtpHarness h = await SecuredAsync(s_auth);

        // 1023 decoded bytes fit smtp_rfc4954_auth_plain's buffer; 1024 do not.
        string fits = "\0alice\0" + new string('p', 1023 - 7);
        Assert.Equal("535 Authentication failed", await h.ExchangeAsync("AUTH PLAIN " + B64(fits)));
        Assert.Equal("501 5.5.2 Syntax error: Syntax error", await h.ExchangeAsync("AUTH PLAIN " + B64(fits + "p")));
        Assert.Single(h.Host.AuthAsked);
    }

    [Fact]
    public async Task AnOverlongLoginUserNameIsASyntaxError()
    {
        await using SmtpHarness h = await SecuredAsync(s_auth);
        Assert.Equal("501 5.5.2 Syntax error: Syntax error", await h.ExchangeAsync("AUTH LOGIN " + B64(new string('u', 256))));
        Assert.Empty(h.Host.AuthAsked);
    }

    [Fact]
    public async Task AnEmptyPasswordIsASyntaxError()
    {
        await using SmtpHarness h = await SecuredAsync(s_auth);
        Assert.Equal("501 5.5.2 Syntax error: Syntax error", await h.ExchangeAsync("AUTH PLAIN " + B64("\0alice\0")));
        Assert.Empty(h.Host.AuthAsked);
    }

    [Fact]
    public async Task ASenderTheUserMayNotUseIsRejected()
    {
        var host = new FakeSmtpHost { SenderResult = SmtpLookupResult.PermFail };
        await using SmtpHarness h = await SecuredAsync(s_auth with { Senders = true }, host);
        await h.ExchangeAsync("AUTH PLAIN " + B64("\0alice\0secret"));
        Assert.Equal("530 Sender rejected", await h.ExchangeAsync("MAIL FROM:<bob@example.org>"));

        // The refused MAIL left no transaction behind: the next one is a fresh start.
        host.SenderResult = SmtpLookupResult.Ok;
        Assert.Equal("250 2.0.0 Ok", await h.ExchangeAsync("MAIL FROM:<alice@example.org>"));
        Assert.Equal(["bob@example.org", "alice@example.org"], host.Senders.Select(t => t.Sender.ToString()));
    }

    [Fact]
    public async Task ASendersTableThatCannotAnswerIsATemporaryError()
    {
        var host = new FakeSmtpHost { SenderResult = SmtpLookupResult.TempFail };
        await using SmtpHarness h = await SecuredAsync(s_auth with { Senders = true }, host);
        await h.ExchangeAsync("AUTH PLAIN " + B64("\0alice\0secret"));
        Assert.Equal("421 4.3.0 Temporary Error", await h.ExchangeAsync("MAIL FROM:<alice@example.org>"));
    }
}
