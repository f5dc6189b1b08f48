// The getpwnam backend: userinfo only, "uid:gid:home", unknown users not found.
using Smtpd.Interop;
using Smtpd.Tables;

namespace Smtpd.Tests.Tables;

public class GetpwnamTableTests
{
    [Fact]
    public void RootIsFoundWithUidGidAndHome()
    {
        var root = Posix.GetPwNam("root")!;
        Assert.Equal((MatchResult.Match, $"0:0:{root.Directory}"), new GetpwnamTable("pw").Lookup(TableService.Userinfo, "root"));
    }

    [Fact]
    public void AnUnknownUserIsNotFound() =>
        Assert.Equal(MatchResult.NoMatch, new GetpwnamTable("pw").Match(TableService.Userinfo, "no-such-user-here"));

    [Theory]
    [InlineData("alias")]
    [InlineData("domain")]
    [InlineData("credentials")]
    public void ServicesOtherThanUserinfoCannotBeAnswered(string service) =>
        Assert.Equal(MatchResult.TempFail, new GetpwnamTable("pw").Match(ProcTable.ServiceFromName(service), "root"));

    [Fact]
    public void AFailingUserDatabaseIsATemporaryFailure()
    {
        var table = new GetpwnamTable("pw", _ => throw new PosixException((int)Errno.EIO, "getpwnam_r"));
        Assert.Equal(MatchResult.TempFail, table.Match(TableService.Userinfo, "root"));
    }
}
