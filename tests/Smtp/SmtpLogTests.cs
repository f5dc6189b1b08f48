// Golden log lines: admins' tools parse these, so they must stay byte-compatible with OpenSMTPD 7.
using Smtpd.Smtp;

namespace Smtpd.Tests.Smtp;

public class SmtpLogTests
{
    private const ulong Id = 0x00000000deadbeef;

    [Fact]
    public void EveryLineFormatMatchesOpenSmtpd()
    {
        Assert.Equal("00000000deadbeef smtp connected address=192.0.2.1 host=mail.example.org", SmtpLog.Connected(Id, "192.0.2.1", "mail.example.org"));
        Assert.Equal("00000000deadbeef smtp message msgid=0000abcd size=1234 nrcpt=2 proto=ESMTP", SmtpLog.Message(Id, 0xabcd, 1234, 2, esmtp: true));
        Assert.Equal("00000000deadbeef smtp message msgid=0000abcd size=0 nrcpt=1 proto=SMTP", SmtpLog.Message(Id, 0xabcd, 0, 1, esmtp: false));
        Assert.Equal(
            "00000000deadbeef smtp envelope evpid=0000abcd00000001 from=<> to=<bob@example.org>",
            SmtpLog.Envelope(Id, 0x0000abcd00000001, MailAddress.Null, new MailAddress("bob", "example.org")));
        Assert.Equal("00000000deadbeef smtp failed-command command=\"VRFY x\" result=\"500 5.5.1 Invalid command: Command unrecognized\"", SmtpLog.FailedCommand(Id, "VRFY x", "500 5.5.1 Invalid command: Command unrecognized"));
        Assert.Equal("00000000deadbeef smtp failed-command command=\"AUTH PLAIN (...)\" result=\"535 Authentication failed\"", SmtpLog.FailedAuthCommand(Id, SmtpState.AuthInit, "535 Authentication failed"));
        Assert.Equal("00000000deadbeef smtp failed-command command=\"AUTH LOGIN (username)\" result=\"501 x\"", SmtpLog.FailedAuthCommand(Id, SmtpState.AuthUsername, "501 x"));
        Assert.Equal("00000000deadbeef smtp bad-input result=\"500 5.0.0 Line too long\"", SmtpLog.BadInput(Id, "500 5.0.0 Line too long"));
        Assert.Equal("00000000deadbeef smtp disconnected reason=quit", SmtpLog.Disconnected(Id, "quit"));
        Assert.Equal("00000000deadbeef smtp disconnected reason=\"io-error: Connection reset by peer\"", SmtpLog.Disconnected(Id, SmtpLog.IoErrorReason("Connection reset by peer")));
        Assert.Equal("00000000deadbeef smtp authentication user=alice result=ok", SmtpLog.Authentication(Id, "alice", "ok"));
        Assert.Equal("00000000deadbeef smtp tls ciphers=TLSv1.2:ECDHE-ECDSA-AES256-GCM-SHA384:256", SmtpLog.Tls(Id, "TLSv1.2:ECDHE-ECDSA-AES256-GCM-SHA384:256"));
    }

    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("tab\tcr\rbell\abs\b", "tab\tcr\rbell\abs\b")]
    [InlineData("vt\vff\f", "vt\\vff\\f")]
    [InlineData("back\\slash", "back\\\\slash")]
    [InlineData("ctl\x01\x1b", "ctl\\^A\\^[")]
    [InlineData("del\x7f", "del\\^?")]
    [InlineData("latin\u00e9", "latin\\M-i")]
    [InlineData("meta\u0080\u0081", "meta\\M^@\\M^A")]
    [InlineData("nbsp\u00a0", "nbsp\\240")]
    [InlineData("quote\"", "quote\"")]
    public void FailedCommandsAreVisEncodedSafeAndCStyle(string command, string shown)
    {
        Assert.Equal($"00000000deadbeef smtp failed-command command=\"{shown}\" result=\"500 x\"", SmtpLog.FailedCommand(Id, command, "500 x"));
    }

    [Fact]
    public void AuthUserNamesHaveTheirWhitespaceEncoded()
    {
        Assert.Equal("00000000deadbeef smtp authentication user=a\\040b\\^Ic\\^Jd\\\\ result=permfail", SmtpLog.Authentication(Id, "a b\tc\nd\\", "permfail"));
    }

    [Fact]
    public void StatesAreNamedAsOpenSmtpdTracesThem()
    {
        Assert.Equal("smtp: 00000000deadbeef: STATE_HELO -> STATE_BODY", SmtpLog.StateChange(Id, SmtpState.Helo, SmtpState.Body));
        Assert.Equal("STATE_AUTH_FINALIZE", SmtpLog.StateName(SmtpState.AuthFinalize));
        Assert.Equal("STATE_??? (42)", SmtpLog.StateName((SmtpState)42));
    }
}
