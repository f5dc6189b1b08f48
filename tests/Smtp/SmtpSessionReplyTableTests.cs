// Every command in every state before DATA, answered byte for byte as OpenSMTPD 7.8 answers it
// (plus our PIPELINING line in the EHLO reply, and HELP in our own words in OpenSMTPD's shape).
namespace Smtpd.Tests.Smtp;

public class SmtpSessionReplyTableTests
{
    private const string NotAllowed = "503 5.5.1 Invalid command: Command not allowed at this point.";
    private const string Unrecognized = "500 5.5.1 Invalid command: Command unrecognized";
    private const string AlreadyIdentified = "503 5.5.1 Invalid command: Already identified";
    private const string NotSupported = "503 5.5.1 Invalid command: Command not supported";
    private const string Wiz = "500 5.5.1 Invalid command: this feature is not supported yet ;-)";
    private const string Help = "214-2.0.0 This is smtpd, a mail transfer agent for Linux written in C#\n214-2.0.0 To report a problem with this server, write to its postmaster\n214-2.0.0 with full details\n214 2.0.0 End of HELP info";
    private const string Helo = "250 mx.example.org Hello client.example [192.0.2.1], pleased to meet you";
    private const string Ehlo = "250-mx.example.org Hello client.example [192.0.2.1], pleased to meet you\n250-8BITMIME\n250-ENHANCEDSTATUSCODES\n250-SIZE 36700160\n250-PIPELINING\n250-DSN\n250 HELP";

    private static readonly Dictionary<string, string> s_setup = new()
    {
        ["connected"] = string.Empty,
        ["helo"] = "EHLO client.example\r\n",
        ["mail"] = "EHLO client.example\r\nMAIL FROM:<alice@example.org>\r\n",
        ["rcpt"] = "EHLO client.example\r\nMAIL FROM:<alice@example.org>\r\nRCPT TO:<bob@example.org>\r\n",
    };

    public static TheoryData<string, string, string> Table()
    {
        var data = new TheoryData<string, string, string>();
        void Row(string state, string command, string reply) => data.Add(state, command, reply);
        foreach (string state in s_setup.Keys)
        {
            bool identified = state != "connected";
            bool inTx = state is "mail" or "rcpt";
            Row(state, "HELO client.example", identified ? AlreadyIdentified : Helo);
            Row(state, "EHLO client.example", identified ? AlreadyIdentified : Ehlo);
            Row(state, "STARTTLS", identified && !inTx ? NotSupported : NotAllowed);
            Row(state, "AUTH PLAIN", identified && !inTx ? NotSupported : NotAllowed);
            Row(state, "MAIL FROM:<carol@example.org>", state == "helo" ? "250 2.0.0 Ok" : NotAllowed);
            Row(state, "RCPT TO:<dave@example.org>", inTx ? "250 2.1.5 Destination address valid: Recipient ok" : NotAllowed);
            Row(state, "DATA", state switch
            {
                "rcpt" => "354 Enter mail, end with \".\" on a line by itself",
                "mail" => "503 5.5.4 Invalid command arguments: No recipient specified",
                _ => NotAllowed,
            });
            Row(state, "RSET", identified ? "250 2.0.0 Reset state" : NotAllowed);
            Row(state, "NOOP", "250 2.0.0 Ok");
            Row(state, "NOOP with arguments", "250 2.0.0 Ok");
            Row(state, "HELP", Help);
            Row(state, "QUIT", "221 2.0.0 Bye");
            Row(state, "WIZ", Wiz);
            Row(state, "VRFY bob", Unrecognized);
            Row(state, "EXPN staff", Unrecognized);
            Row(state, "TURN", Unrecognized);
            Row(state, ".", Unrecognized);
            Row(state, string.Empty, Unrecognized);
            Row(state, "MAIL FROM <x@example.org>", Unrecognized);
            Row(state, "QUIT now", "500 5.5.4 Invalid command arguments: command does not accept arguments.");
            Row(state, "HELP ", "500 5.5.4 Invalid command arguments: command does not accept arguments.");
            Row(state, "WIZ ard", "500 5.5.4 Invalid command arguments: command does not accept arguments.");
            Row(state, "RSET x", "500 5.5.4 Invalid command arguments: command does not accept arguments.");
            Row(state, "DATA x", "500 5.5.4 Invalid command arguments: command does not accept arguments.");
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Table))]
    public async Task EveryCommandInEveryStateGetsOpenSmtpdsReply(string state, string command, string reply)
    {
        Assert.Equal(reply, await SmtpHarness.LastReplyAsync(s_setup[state] + command + "\r\n"));
    }

    [Theory]
    [InlineData("HELO", "501 5.5.1 Invalid command: HELO requires domain name")]
    [InlineData("EHLO", "501 5.5.1 Invalid command: EHLO requires domain name")]
    [InlineData("HELO ", "501 5.5.4 Invalid command arguments: Invalid domain name")]
    [InlineData("EHLO  ", "501 5.5.4 Invalid command arguments: Invalid domain name")]
    [InlineData("EHLO -bad.example", "501 5.5.4 Invalid command arguments: Invalid domain name")]
    [InlineData("EHLO bad..name", "501 5.5.4 Invalid command arguments: Invalid domain name")]
    [InlineData("HELO bad..name", "501 5.5.4 Invalid command arguments: Invalid domain name")]
    [InlineData("EHLO dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd.example", "501 5.5.4 Invalid command arguments: Invalid domain name")]
    [InlineData("HELO bad_.example-", "250 mx.example.org Hello bad_.example- [192.0.2.1], pleased to meet you")]
    [InlineData("EHLO client.example.", "501 5.5.4 Invalid command arguments: Invalid domain name")]
    [InlineData("HELO client.example extra", "501 5.5.4 Invalid command arguments: Invalid domain name")]
    [InlineData("HELO [192.0.2.7]", "250 mx.example.org Hello [192.0.2.7] [192.0.2.1], pleased to meet you")]
    [InlineData("helo   Client.Example", "250 mx.example.org Hello Client.Example [192.0.2.1], pleased to meet you")]
    [InlineData("HELO\tclient.example", Unrecognized)]
    public async Task HeloAndEhloArguments(string command, string reply)
    {
        Assert.Equal(reply, await SmtpHarness.LastReplyAsync(command + "\r\n"));
    }

    [Theory]
    [InlineData("MAIL FROM:<>", "250 2.0.0 Ok")]
    [InlineData("MAIL FROM:<@>", "250 2.0.0 Ok")]
    [InlineData("MAIL FROM:<@a>", "553 5.1.0 Sender address syntax error")]
    [InlineData("MAIL FROM:<whatever:a@a>", "250 2.0.0 Ok")]
    [InlineData("MAIL FROM:<a:@a>", "553 5.1.0 Sender address syntax error")]
    [InlineData("MAIL FROM:< @a>", "553 5.1.0 Sender address syntax error")]
    [InlineData("mail from:<alice@example.org>", "250 2.0.0 Ok")]
    [InlineData("MAIL FROM: <alice@example.org>", "250 2.0.0 Ok")]
    [InlineData("MAIL FROM:alice@example.org", "553 5.1.0 Sender address syntax error")]
    [InlineData("MAIL FROM:", "553 5.1.0 Sender address syntax error")]
    [InlineData("MAIL FROM:<\"alice smith\"@example.org>", "553 5.1.0 Sender address syntax error")]
    [InlineData("MAIL FROM:<a@b..example>", "553 5.1.0 Sender address syntax error")]
    [InlineData("MAIL FROM:<a@dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd.example>", "553 5.1.0 Sender address syntax error")]
    [InlineData("MAIL FROM:<a@-b.example>", "553 5.1.0 Sender address syntax error")]
    [InlineData("MAIL FROM:<alice@example.org> SMTPUTF8", "503 5.5.4 Invalid command arguments: Unsupported option SMTPUTF8")]
    [InlineData("MAIL FROM:<alice@example.org> SIZE=999999999999 BODY=8BITMIME AUTH=<>", "250 2.0.0 Ok")]
    [InlineData("MAIL FROM:<alice@example.org> RET=HDRS ENVID=abc", "250 2.0.0 Ok")]
    public async Task MailFromPathsAndParameters(string command, string reply)
    {
        Assert.Equal(reply, await SmtpHarness.LastReplyAsync("EHLO client.example\r\n" + command + "\r\n"));
    }

    [Theory]
    [InlineData("MAIL FROM:<a>")]
    [InlineData("MAIL FROM:<a@>")]
    public async Task ALocalPartWithoutDomainIsAcceptedAndQualifiedWithTheServerName(string command)
    {
        // The old smtpscript regress (2012) expected permfail here; OpenSMTPD 7.8's smtp_mailaddr
        // treats a missing domain as a local user instead, and so do we.
        var host = new FakeSmtpHost();
        Assert.Equal("250 2.0.0 Ok", await SmtpHarness.LastReplyAsync("EHLO client.example\r\n" + command + "\r\n", host: host));
        Assert.Equal("a@mx.example.org", host.Senders[0].Sender.ToString());
    }

    [Theory]
    [InlineData("RCPT TO:<>", "501 5.1.3 Recipient address syntax error")]
    [InlineData("RCPT TO:<@>", "501 5.1.3 Recipient address syntax error")]
    [InlineData("RCPT TO:<bob@b..example>", "501 5.1.3 Recipient address syntax error")]
    [InlineData("RCPT TO:<bob@dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd.example>", "501 5.1.3 Recipient address syntax error")]
    [InlineData("RCPT TO:<bob>", "250 2.1.5 Destination address valid: Recipient ok")]
    [InlineData("RCPT TO:<@relay.example:bob@example.org>", "250 2.1.5 Destination address valid: Recipient ok")]
    [InlineData("RCPT TO:<bob@example.org> NOTIFY=SUCCESS,DELAY ORCPT=rfc822;bob@example.org", "250 2.1.5 Destination address valid: Recipient ok")]
    [InlineData("RCPT TO:<bob@example.org> NOTIFY=NEVER,DELAY", "553 NOTIFY option NEVER cannot be combined with other options")]
    [InlineData("RCPT TO:<bob@example.org> ORCPT=bob", "553 ORCPT address syntax error")]
    [InlineData("RCPT TO:<bob@example.org> FOO", "503 Unsupported option FOO")]
    public async Task RcptToPathsAndParameters(string command, string reply)
    {
        Assert.Equal(reply, await SmtpHarness.LastReplyAsync("EHLO client.example\r\nMAIL FROM:<>\r\n" + command + "\r\n"));
    }
}
