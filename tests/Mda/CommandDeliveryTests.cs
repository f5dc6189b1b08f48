using System.Text;
using Smtpd.Interop;
using Smtpd.Ipc.Messages;
using Smtpd.Mda;

namespace Smtpd.Tests.Mda;

public class CommandDeliveryTests
{
    private static MdaResult Run(string command, string message = "Subject: x\n\nbody\n", TimeSpan? timeout = null)
    {
        var me = Posix.GetPwUid(Posix.GetEUid())!;
        var job = new MdaJob(1, MdaMethod.Command, command, false, me.Name, me.Uid, me.Gid, "/", false, "alice@example.net", "bob@example.org", "bob@example.org", string.Empty, "mx.example.org");
        var ctx = new MdaVariableContext { UserName = me.Name, UserDirectory = "/" };
        using var input = new MemoryStream(Encoding.UTF8.GetBytes(message));
        return CommandDelivery.Run(command, job, ctx, input, timeout);
    }

    [Fact]
    public void ACommandThatOverrunsTheTimeoutDiesWithWhatItStarted()
    {
        using var tmp = new TempDir();
        string bg = Path.Combine(tmp.Path, "bg");
        var r = Run($"sleep 300 & echo $! > {bg}; wait", timeout: TimeSpan.FromSeconds(1));
        Assert.Equal((MdaResultKind.TempFail, "terminated; timeout"), (r.Kind, r.Reason));
        int pid = int.Parse(File.ReadAllText(bg).Trim(), System.Globalization.CultureInfo.InvariantCulture);
        try
        {
            Smtpd.Tests.TestSupport.Wait.Until(() => !Smtpd.Tests.TestSupport.ProcInfo.Exists(pid), "the command's background child is gone too", TimeSpan.FromSeconds(10));
        }
        finally
        {
            Posix.Kill(pid, Libc.SIGKILL);
        }
    }

    [Fact]
    public void TheCommandReadsTheWholeMessageFromItsStandardInput()
    {
        using var tmp = new TempDir();
        Assert.Equal(MdaResult.Ok, Run($"cat > {tmp.Path}/got"));
        Assert.Equal("Subject: x\n\nbody\n", File.ReadAllText(tmp.Path + "/got"));
    }

    [Fact]
    public void AFailureQuotesTheLastLineTheCommandPrintedOnEitherOutput()
    {
        var r = Run("echo starting; echo 'mailbox bob is full' >&2; exit 1");
        Assert.Equal(new MdaResult(MdaResultKind.PermFail, "\"mailbox bob is full\""), r);
        Assert.Equal("Error (\"mailbox bob is full\")", r.LogStat);
    }

    [Fact]
    public void ASysexitsStatusIsNamedInTheLogButNotInTheReason()
    {
        var r = Run("echo 'try later'; exit 75");
        Assert.Equal((MdaResultKind.TempFail, "\"try later\""), (r.Kind, r.Reason));
        Assert.Equal("Error (temporary failure: \"try later\")", r.LogStat);
        Assert.Equal("Error (user unknown: \"no bob\")", Run("echo no bob; exit 67").LogStat);
    }

    [Fact]
    public void WithoutOutputTheFailureSaysHowTheCommandEnded()
    {
        Assert.Equal("Error (exited abnormally)", Run("exit 3").LogStat);
        var killed = Run("kill -9 $$");
        Assert.Equal((MdaResultKind.TempFail, "terminated; signal 9"), (killed.Kind, killed.Reason));
    }

    [Fact]
    public void ExitingWithSuccessBeforeReadingAllOfALargeMessageIsATemporaryFailure()
    {
        // More than a pipe holds, so the write fails once the command is gone.
        string big = "Subject: big\n\n" + string.Concat(Enumerable.Repeat(new string('z', 99) + "\n", 20_000));
        Assert.Equal(MdaResult.TempFail("mda exited prematurely"), Run("exit 0", big));
    }

    [Theory]
    [InlineData(14, "\"still working\"", "\"still working\"")]
    [InlineData(14, "", "terminated; timeout")]
    [InlineData(15, "", "terminated; signal 15")]
    public void AKilledCommandIsATemporaryFailureAndTheAlarmReadsAsATimeout(int signal, string lastLine, string reason)
    {
        var r = CommandDelivery.Judge(new WaitStatus(signal), readAll: true, lastLine);
        Assert.Equal((MdaResultKind.TempFail, reason), (r.Kind, r.Reason));
    }
}
