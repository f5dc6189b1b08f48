// smtpctl encrypt: the hash OpenSMTPD portable's encrypt helper would print on this libcrypt
// (the first method of its list on offer: yescrypt at cost 8 with libxcrypt), fresh salt each
// time, one line per input line, and accepted by the AUTH check of a credentials table.
using Smtpd.Ctl;
using Smtpd.Interop;
using Smtpd.Lka;
using Smtpd.Ipc.Messages;
using Smtpd.Tables;

namespace Smtpd.Tests.Ctl;

public class EncryptTests
{
    [Fact]
    public void TheHashIsYescryptAtCostEightAndChecksAgainstThePassword()
    {
        string hash = Encrypt.Hash("correct horse")!;
        Assert.StartsWith("$y$jCT$", hash, StringComparison.Ordinal);
        Assert.True(Posix.CheckPassword("correct horse"u8, hash));
        Assert.False(Posix.CheckPassword("correct horsE"u8, hash));
        Assert.NotEqual(hash, Encrypt.Hash("correct horse"));
    }

    [Fact]
    public void WithoutAnArgumentEachLineOfInputIsHashed()
    {
        var output = new StringWriter();
        Assert.Equal(0, Encrypt.Run(null, new StringReader("one\ntwo words\n\n"), output, TextWriter.Null));
        string[] lines = output.ToString().Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        Assert.True(Posix.CheckPassword("one"u8, lines[0]));
        Assert.True(Posix.CheckPassword("two words"u8, lines[1]));
        Assert.True(Posix.CheckPassword(""u8, lines[2]));
    }

    [Fact]
    public void TheHashWorksInACredentialsTable()
    {
        string hash = Encrypt.Hash("s3cret")!;
        var table = new StaticTable("creds", [("alice", "alice:" + hash)]);
        Assert.Equal(AuthStatus.Ok, LkaAuthenticator.Check(table, "alice", "s3cret"));
        Assert.Equal(AuthStatus.Fail, LkaAuthenticator.Check(table, "alice", "S3cret"));
    }

    [Fact]
    public void SaltsComeFromTheLibraryForEachMethod()
    {
        Assert.StartsWith("$2b$10$", Posix.CryptGenSalt("$2b$", 10), StringComparison.Ordinal);
        Assert.StartsWith("$6$", Posix.CryptGenSalt("$6$", 5000), StringComparison.Ordinal);
        Assert.Null(Posix.CryptGenSalt("$no-such-method$", 0));
    }
}
