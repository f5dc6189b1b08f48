using Smtpd.Runtime;

namespace Smtpd.Tests.Runtime;

public class SmtpdOptionsTests
{
    [Fact]
    public void DefaultsAreOpenSmtpdsPaths()
    {
        var o = SmtpdOptions.Parse([], out var error);
        Assert.Null(error);
        Assert.Equal("/etc/smtpd.conf", o.ConfigFile);
        Assert.Equal("/var/spool/smtpd", o.QueueDir);
        Assert.Equal("/var/run/smtpd.sock", o.ControlSocket);
        Assert.False(o.Foreground);
    }

    [Fact]
    public void ClusteredAndAttachedOptionsParseLikeGetopt()
    {
        var o = SmtpdOptions.Parse(["-dvv", "-fsmtpd.conf", "-D", "name=value", "-T", "smtp", "-Timsg", "-P", "mta"], out var error);
        Assert.Null(error);
        Assert.True(o.Debug);
        Assert.True(o.Foreground);
        Assert.Equal(2, o.Verbose);
        Assert.Equal("smtpd.conf", o.ConfigFile);
        Assert.True(o.ConfigFileGiven);
        Assert.Equal("value", o.Macros["name"]);
        Assert.Equal(TraceFlags.Smtp | TraceFlags.Imsg, o.Trace);
        Assert.Contains("mta", o.Paused);
    }

    [Fact]
    public void LongPathOptionsBecomeAbsolute()
    {
        var o = SmtpdOptions.Parse(["--queue-dir", "var/spool", "--socket=var/run/s.sock", "--empty-dir", "/e"], out var error);
        Assert.Null(error);
        Assert.Equal(Path.GetFullPath("var/spool"), o.QueueDir);
        Assert.Equal(Path.GetFullPath("var/run/s.sock"), o.ControlSocket);
        Assert.Equal("/e", o.EmptyDir);
    }

    [Theory]
    [InlineData("-q", "invalid option -- 'q'")]
    [InlineData("-f", "option requires an argument -- 'f'")]
    [InlineData("--bogus", "unrecognized option '--bogus'")]
    [InlineData("--queue-dir", "option '--queue-dir' requires an argument")]
    [InlineData("extra", "unexpected argument \"extra\"")]
    public void BadCommandLinesAreUsageErrors(string arg, string message)
    {
        SmtpdOptions.Parse([arg], out var error);
        Assert.Equal(message, error);
    }

    [Fact]
    public void UnknownTraceFlagsAndBadMacrosAreWarningsNotErrors()
    {
        var o = SmtpdOptions.Parse(["-T", "nonsense", "-D", "novalue"], out var error);
        Assert.Null(error);
        Assert.Equal(["warn: unknown trace flag \"nonsense\"", "warn: could not parse macro definition novalue"], o.Warnings);
    }

    [Fact]
    public void RoleIsTakenFromX()
    {
        var o = SmtpdOptions.Parse(["-d", "-x", "queue"], out _);
        Assert.Equal("queue", o.Role);
        Assert.Equal(ProcRole.Queue, ProcRoles.Parse("queue"));
        Assert.Null(ProcRoles.Parse("parent"));
    }

    [Fact]
    public void RoleTitlesFollowOpenSmtpd()
    {
        Assert.Equal("smtpd: lookup", ProcRole.Lka.Title());
        Assert.Equal("smtpd: crypto", ProcRole.Ca.Title());
        Assert.Equal("smtpd: queue", ProcRole.Queue.Title());
        Assert.Equal("queue", ProcRole.Queue.ShortTitle());
    }

    [Theory]
    [InlineData(Smtpd.Ipc.ImsgType.SetupPeer, "IMSG_SETUP_PEER")]
    [InlineData(Smtpd.Ipc.ImsgType.CtlVerbose, "IMSG_CTL_VERBOSE")]
    [InlineData(Smtpd.Ipc.ImsgType.Ping, "IMSG_PING")]
    internal void TraceNamesMessagesTheWayOpenSmtpdDoes(Smtpd.Ipc.ImsgType type, string name) =>
        Assert.Equal(name, ImsgTrace.Name(type));
}
