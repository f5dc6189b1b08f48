using Smtpd.Enqueue;

namespace Smtpd.Tests.Enqueue;

public class SendmailOptionsTests
{
    [Fact]
    public void CronsFlagsAreAcceptedAndDashIKeepsDots()
    {
        var o = SendmailOptions.Parse(["-FCronDaemon", "-i", "-B8BITMIME", "-oem", "root"]);
        Assert.Equal(SendmailOptions.RunMode.Send, o.Mode);
        Assert.Equal("CronDaemon", o.FullName);
        Assert.True(o.IgnoreDots);
        Assert.Null(o.Sender);
        Assert.Equal(["root"], o.Recipients);
    }

    [Fact]
    public void MuttsFlagsWithDashDashBeforeTheRecipients()
    {
        var o = SendmailOptions.Parse(["-oem", "-oi", "-B8BITMIME", "-f", "me@example.org", "-N", "failure,delay", "-R", "hdrs", "--", "-odd@example.net", "b@example.net"]);
        Assert.Equal(("me@example.org", "failure,delay", "hdrs", true), (o.Sender, o.DsnNotify, o.DsnRet, o.IgnoreDots));
        Assert.Equal(["-odd@example.net", "b@example.net"], o.Recipients);
    }

    [Fact]
    public void OptionsMayFollowOperandsAsGnuGetoptAllows()
    {
        var o = SendmailOptions.Parse(["a@example.net", "-fme@example.org", "-t", "-Venv1", "-v"]);
        Assert.Equal(("me@example.org", true, "env1", true), (o.Sender, o.RecipientsFromHeaders, o.DsnEnvId, o.Verbose));
        Assert.Equal(["a@example.net"], o.Recipients);
        Assert.False(o.IgnoreDots);
    }

    [Theory]
    [InlineData(new[] { "-q" }, "ProcessQueue")]
    [InlineData(new[] { "-q1h" }, "ProcessQueue")]
    [InlineData(new[] { "-bp" }, "ListQueue")]
    [InlineData(new[] { "-bi" }, "Newaliases")]
    [InlineData(new[] { "-t", "-bi" }, "Newaliases")]
    [InlineData(new[] { "-bs" }, "SmtpOnStdio")]
    [InlineData(new[] { "-bm", "-odi", "-odb", "-oem", "-Ax", "-L", "tag", "-m", "-x", "-E", "-e", "x", "-pfoo", "u" }, "Send")]
    [InlineData(new[] { "-Z" }, "Usage")]
    [InlineData(new[] { "-J" }, "Usage")]
    [InlineData(new[] { "-f" }, "Usage")]
    public void ModesAsOpenSmtpdPlusMailqAndDashBs(string[] args, string mode) =>
        Assert.Equal(mode, SendmailOptions.Parse(args).Mode.ToString());

    [Fact]
    public void DashROrDashFSetTheSenderTheLastWins()
    {
        Assert.Equal("b@x", SendmailOptions.Parse(["-f", "a@x", "-r", "b@x"]).Sender);
        Assert.Equal("<>", SendmailOptions.Parse(["-f<>"]).Sender);
    }
}
