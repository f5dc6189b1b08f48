// crypt(3) through libcrypt: hashes other tools made (openssl passwd, OpenBSD's bcrypt vectors)
// verify, wrong passwords and malformed settings do not, and failure tokens never pass for hashes.
using System.Text;
using Smtpd.Interop;

namespace Smtpd.Tests.Interop;

public class PosixCryptTests
{
    // `openssl passwd -6 -salt saltsalt 'correct horse'`.
    internal const string Sha512Hash = "$6$saltsalt$hRM5XZ86KXEw9UOmjigeVqFgULtFB2sgpC9lXQDfMib3Zgw7mEiUvBJI2EplzfAqxL5Vvwp2scFtv/uamSo5z0";

    // OpenBSD's bcrypt regression vector for "U*U".
    internal const string BcryptHash = "$2b$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW";

    [Theory]
    [InlineData("correct horse", Sha512Hash, true)]
    [InlineData("correct horsE", Sha512Hash, false)]
    [InlineData("", Sha512Hash, false)]
    [InlineData("U*U", BcryptHash, true)]
    [InlineData("U*V", BcryptHash, false)]
    [InlineData("U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW", true)]
    [InlineData("anything", "*0", false)]
    [InlineData("anything", "*1", false)]
    [InlineData("anything", "$9$unknown$method", false)]
    [InlineData("anything", "", false)]
    public void KnownHashesVerifyOnlyWithTheirPassword(string password, string hash, bool ok) =>
        Assert.Equal(ok, Posix.CheckPassword(Encoding.Latin1.GetBytes(password), hash));

    [Fact]
    public void ASettingPrefixMakesAHashThatVerifies()
    {
        string? sha = Posix.Crypt("s3cret"u8, "$6$abcdefgh$");
        string? bcrypt = Posix.Crypt("s3cret"u8, "$2b$05$abcdefghijklmnopqrstuu");
        Assert.NotNull(sha);
        Assert.NotNull(bcrypt);
        Assert.StartsWith("$6$abcdefgh$", sha, StringComparison.Ordinal);
        Assert.StartsWith("$2b$05$", bcrypt, StringComparison.Ordinal);
        Assert.True(Posix.CheckPassword("s3cret"u8, sha));
        Assert.True(Posix.CheckPassword("s3cret"u8, bcrypt));
    }

    [Fact]
    public void NulBytesAndRefusedSettingsGiveNoHash()
    {
        Assert.Null(Posix.Crypt("a\0b"u8, "$6$abcdefgh$"));
        Assert.Null(Posix.Crypt("x"u8, "$6$ab\0cd$"));
        Assert.Null(Posix.Crypt("x"u8, "$9$zz"));
        Assert.False(Posix.CheckPassword("correct horse\0trailing"u8, Sha512Hash));
    }

    [Fact]
    public void PasswordBytesAboveAsciiAreHashedAsTheyCame()
    {
        byte[] latin1 = [0x73, 0xe9, 0x63, 0xff];
        string hash = Posix.Crypt(latin1, "$6$saltsalt$")!;
        Assert.True(Posix.CheckPassword(latin1, hash));
        Assert.False(Posix.CheckPassword(Encoding.UTF8.GetBytes("s\u00e9c\u00ff"), hash));
    }

    [Fact]
    public async Task ConcurrentChecksDoNotDisturbEachOther()
    {
        var tasks = Enumerable.Range(0, 16).Select(i => Task.Run(() =>
            i % 2 == 0 ? Posix.CheckPassword("correct horse"u8, Sha512Hash) : !Posix.CheckPassword("wrong"u8, Sha512Hash)));
        Assert.All(await Task.WhenAll(tasks), Assert.True);
    }
}
