// The credentials value format of table(5): "user:password" or the password alone, with
// OpenSMTPD's refusals of values too short, too long or with an empty side.
using Smtpd.Tables;

namespace Smtpd.Tests.Tables;

public class CredentialsTests
{
    [Theory]
    [InlineData("alice", "alice:$6$s$h", "alice", "$6$s$h")]
    [InlineData("alice", "relay-user:pa:ss", "relay-user", "pa:ss")]
    [InlineData("bob", "$2b$05$abc", "bob", "$2b$05$abc")]
    [InlineData("bob", "abc", "bob", "abc")]
    public void AValueGivesItsUserAndPassword(string key, string value, string user, string password) =>
        Assert.Equal(new Credentials(user, password), Credentials.Parse(key, value));

    [Theory]
    [InlineData("")]
    [InlineData("ab")]
    [InlineData(":secret")]
    [InlineData("alice:")]
    public void MalformedValuesAreRefused(string value) => Assert.Null(Credentials.Parse("k", value));

    [Fact]
    public void AValueTooLongForAnSmtpLineIsRefused()
    {
        Assert.NotNull(Credentials.Parse("k", "u:" + new string('x', Credentials.MaxLength - 2)));
        Assert.Null(Credentials.Parse("k", "u:" + new string('x', Credentials.MaxLength - 1)));
    }
}
