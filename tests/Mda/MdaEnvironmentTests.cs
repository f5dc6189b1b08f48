using Smtpd.Mda;

namespace Smtpd.Tests.Mda;

public class MdaEnvironmentTests
{
    private static readonly MdaVariableContext Ctx = new()
    {
        SenderUser = "alice",
        SenderDomain = "example.net",
        RcptUser = "gilles+lists",
        RcptDomain = "example.org",
        DestUser = "gilles",
        DestDomain = "example.org",
        UserName = "gilles",
        UserDirectory = "/home/gilles",
    };

    [Fact]
    public void SetsWhatOpenSmtpdSets()
    {
        Assert.Equal(
            [
                "PATH=/usr/bin:/bin", "DOMAIN=example.org", "HOME=/home/gilles", "ORIGINAL_RECIPIENT=gilles+lists@example.org",
                "RECIPIENT=gilles@example.org", "SHELL=/bin/sh", "LOCAL=gilles+lists", "LOGNAME=gilles", "USER=gilles",
                "SENDER=alice@example.net", "EXTENSION=lists",
            ],
            MdaEnvironment.Build(Ctx, "/home/gilles", "lists"));
    }

    [Fact]
    public void NullSenderAndNoExtension()
    {
        var env = MdaEnvironment.Build(Ctx with { SenderUser = "", SenderDomain = "" }, "/", null);
        Assert.Contains("SENDER=", env);
        Assert.DoesNotContain(env, e => e.StartsWith("EXTENSION=", StringComparison.Ordinal));
    }
}
