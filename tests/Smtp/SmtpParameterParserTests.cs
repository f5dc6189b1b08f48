// ESMTP parameters of MAIL FROM and RCPT TO, accepted and refused with OpenSMTPD's replies.
using Smtpd.Mime;
using Smtpd.Smtp;

namespace Smtpd.Tests.Smtp;

public class SmtpParameterParserTests
{
    [Theory]
    [InlineData("", (int)MailBody.Unspecified, (int)DsnRet.None, "")]
    [InlineData("SIZE=1000 AUTH=<>", (int)MailBody.Unspecified, (int)DsnRet.None, "")]
    [InlineData("body=7bit", (int)MailBody.SevenBit, (int)DsnRet.None, "")]
    [InlineData("BODY=8BITMIME  RET=HDRS ENVID=QQ314159", (int)MailBody.EightBitMime, (int)DsnRet.Headers, "QQ314159")]
    [InlineData("RET=full", (int)MailBody.Unspecified, (int)DsnRet.Full, "")]
    [InlineData("RET=SOMETIMES", (int)MailBody.Unspecified, (int)DsnRet.None, "")]
    public void MailFromParametersOpenSmtpdKnows(string text, int body, int ret, string envid)
    {
        Assert.True(SmtpParameterParser.TryParseMailFrom(text, dsn: true, out MailFromParameters p, out string? error));
        Assert.Null(error);
        Assert.Equal(new MailFromParameters((MailBody)body, (DsnRet)ret, envid), p);
    }

    [Theory]
    [InlineData("SMTPUTF8", true, "503 5.5.4 Invalid command arguments: Unsupported option SMTPUTF8")]
    [InlineData("BODY=BINARYMIME", true, "503 5.5.4 Invalid command arguments: Unsupported option BODY=BINARYMIME")]
    [InlineData("RET=HDRS", false, "503 5.5.4 Invalid command arguments: Unsupported option RET=HDRS")]
    [InlineData("ENVID=x", false, "503 5.5.4 Invalid command arguments: Unsupported option ENVID=x")]
    [InlineData("SIZE", true, "503 5.5.4 Invalid command arguments: Unsupported option SIZE")]
    public void MailFromParametersOpenSmtpdRefuses(string text, bool dsn, string reply)
    {
        Assert.False(SmtpParameterParser.TryParseMailFrom(text, dsn, out _, out string? error));
        Assert.Equal(reply, error);
    }

    [Fact]
    public void AnEnvidOver100CharactersIsRefused()
    {
        string ok = new('e', 100);
        Assert.True(SmtpParameterParser.TryParseMailFrom("ENVID=" + ok, true, out _, out _));
        Assert.False(SmtpParameterParser.TryParseMailFrom("ENVID=" + ok + "e", true, out _, out string? error));
        Assert.Equal("503 5.5.4 Invalid command arguments: option too large, truncated: " + ok + "e", error);
    }

    [Theory]
    [InlineData("", (int)(DsnNotify.None), "")]
    [InlineData("NOTIFY=SUCCESS,FAILURE", (int)(DsnNotify.Success | DsnNotify.Failure), "")]
    [InlineData("notify=delay,,bogus", (int)(DsnNotify.Delay), "")]
    [InlineData("NOTIFY=NEVER", (int)(DsnNotify.Never), "")]
    [InlineData("ORCPT=rfc822;bob@example.org NOTIFY=FAILURE", (int)(DsnNotify.Failure), "rfc822;bob@example.org")]
    public void RcptToParametersOpenSmtpdKnows(string text, int notify, string orcpt)
    {
        Assert.True(SmtpParameterParser.TryParseRcptTo(text, dsn: true, out RcptToParameters p, out _));
        Assert.Equal(new RcptToParameters((DsnNotify)notify, orcpt), p);
    }

    [Theory]
    [InlineData("NOTIFY=NEVER,SUCCESS", true, "553 NOTIFY option NEVER cannot be combined with other options")]
    [InlineData("ORCPT=bob@example.org", true, "553 ORCPT address syntax error")]
    [InlineData("ORCPT=rfc822;a=b", true, "553 ORCPT address syntax error")]
    [InlineData("NOTIFY=SUCCESS", false, "503 Unsupported option NOTIFY=SUCCESS")]
    [InlineData("FOO=BAR", true, "503 Unsupported option FOO=BAR")]
    public void RcptToParametersOpenSmtpdRefuses(string text, bool dsn, string reply)
    {
        Assert.False(SmtpParameterParser.TryParseRcptTo(text, dsn, out _, out string? error));
        Assert.Equal(reply, error);
    }
}
