using Smtpd.Mda;

namespace Smtpd.Tests.Mda;

public class MdaResultTests
{
    [Fact]
    public void LogWordsMatchOpenSmtpd()
    {
        Assert.Equal(("Ok", "Delivered"), (MdaResult.Ok.LogResult, MdaResult.Ok.LogStat));
        var temp = MdaResult.TempFail("mbox locked");
        Assert.Equal(("TempFail", "Error (mbox locked)"), (temp.LogResult, temp.LogStat));
        var perm = MdaResult.PermFail("no such user");
        Assert.Equal(("PermFail", "Error (no such user)"), (perm.LogResult, perm.LogStat));
        Assert.Equal(("PermFail", "Loop detected"), (MdaResult.Loop.LogResult, MdaResult.Loop.LogStat));
        var withExit = new MdaResult(MdaResultKind.TempFail, "\"later\"", "temporary failure");
        Assert.Equal("Error (temporary failure: \"later\")", withExit.LogStat);
    }

    [Theory]
    [InlineData(0, "Ok")]
    [InlineData(71, "TempFail")]
    [InlineData(75, "TempFail")]
    [InlineData(1, "PermFail")]
    [InlineData(67, "PermFail")]
    [InlineData(73, "PermFail")]
    public void ExitCodesMapAsInSmtpdConf(int status, string result)
    {
        Assert.Equal(result, MdaResult.FromExitCode(status, "x").LogResult);
    }

    [Fact]
    public void ExitCodesRoundTrip()
    {
        foreach (var r in new[] { MdaResult.Ok, MdaResult.TempFail("t"), MdaResult.PermFail("p") })
        {
            Assert.Equal(r.Kind, MdaResult.FromExitCode(r.ExitCode, r.Reason).Kind);
        }
    }
}
