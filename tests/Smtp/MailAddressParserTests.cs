// Paths as OpenSMTPD 7.8 reads them, including the old smtpscript regress cases and the length limits.
using Smtpd.Smtp;

namespace Smtpd.Tests.Smtp;

public class MailAddressParserTests
{
    private const string Local = "mx.example.org";

    [Theory]
    [InlineData("<alice@example.org>", "alice", "example.org", "")]
    [InlineData("<alice@example.org> SIZE=100 BODY=8BITMIME", "alice", "example.org", "SIZE=100 BODY=8BITMIME")]
    [InlineData("<alice@example.org>   RET=HDRS", "alice", "example.org", "RET=HDRS")]
    [InlineData("<@a.example,@b.example:bob@example.net>", "bob", "example.net", "")]
    [InlineData("<whatever:a@a>", "a", "a", "")]
    [InlineData("<first.last+tag@example.org>", "first.last+tag", "example.org", "")]
    [InlineData("<!#$%&'*/?^`{|}~+-=_@example.org>", "!#$%&'*/?^`{|}~+-=_", "example.org", "")]
    [InlineData("<postmaster>", "postmaster", Local, "")]
    [InlineData("<a@>", "a", Local, "")]
    [InlineData("<user@[192.0.2.1]>", "user", "[192.0.2.1]", "")]
    [InlineData("<user@[IPv6:2001:db8::1]>", "user", "[IPv6:2001:db8::1]", "")]
    [InlineData("<user@[ipv6:::1]>", "user", "[ipv6:::1]", "")]
    [InlineData("<user@[2001:db8::1]>", "user", "[2001:db8::1]", "")]
    [InlineData("<user@[IPv6:192.0.2.1]>", "user", "[IPv6:192.0.2.1]", "")]
    [InlineData("<u@under_score.example>", "u", "under_score.example", "")]
    [InlineData("<u@_x.example>", "u", "_x.example", "")]
    [InlineData("<u@example-.org>", "u", "example-.org", "")]
    [InlineData("<u@ddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd.example>", "u", "ddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd.example", "")]
    [InlineData("<u@x>trailing", "u", "x", "trailing")]
    public void AcceptedPathsSplitIntoUserDomainAndParameters(string text, string user, string domain, string parameters)
    {
        Assert.True(MailAddressParser.TryParsePath(text, allowNull: false, Local, out MailAddress address, out string rest));
        Assert.Equal(new MailAddress(user, domain), address);
        Assert.Equal(parameters, rest);
    }

    [Theory]
    [InlineData("")]
    [InlineData("alice@example.org")]
    [InlineData(" <alice@example.org>")]
    [InlineData("<alice@example.org")]
    [InlineData("<@a>")]
    [InlineData("<a:@a>")]
    [InlineData("< @a>")]
    [InlineData("<\"quoted local\"@example.org>")]
    [InlineData("<\"q\"@example.org>")]
    [InlineData("<.a@example.org>")]
    [InlineData("<a.@example.org>")]
    [InlineData("<a..b@example.org>")]
    [InlineData("<a b@example.org>")]
    [InlineData("<é@example.org>")]
    [InlineData("<a@example.org.>")]
    [InlineData("<a@-example.org>")]
    [InlineData("<a@exa mple.org>")]
    [InlineData("<a@b..example>")]
    [InlineData("<a@.example>")]
    [InlineData("<a@exampl\\e.org>")]
    [InlineData("<a@dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd.example>")]
    [InlineData("<a@[192.0.2.256]>")]
    [InlineData("<a@[010.0.2.1]>")]
    [InlineData("<a@[1.2.3]>")]
    [InlineData("<a@[fe80::1%eth0]>")]
    [InlineData("<a@[192.0.2.1]x>")]
    [InlineData("<a@[192.0.2.1>")]
    [InlineData("<>")]
    [InlineData("<@>")]
    [InlineData("<a@b@example.org>")]
    public void RefusedPaths(string text)
    {
        Assert.False(MailAddressParser.TryParsePath(text, allowNull: false, Local, out _, out _));
    }

    [Theory]
    [InlineData("<>")]
    [InlineData("<@>")]
    [InlineData("<> BODY=7BIT")]
    public void TheNullPathIsAcceptedOnlyForTheSender(string text)
    {
        Assert.True(MailAddressParser.TryParsePath(text, allowNull: true, Local, out MailAddress address, out _));
        Assert.True(address.IsNull);
        Assert.Equal(string.Empty, address.ToString());
        Assert.False(MailAddressParser.TryParsePath(text, allowNull: false, Local, out _, out _));
    }

    [Fact]
    public void TheUserPartMayHave255OctetsAndTheDomain253()
    {
        // OpenSMTPD keeps each part in a 256-octet buffer, so a local part may exceed RFC 5321's
        // 64 octets; the domain is held to 253 by res_hnok (255 octets in DNS wire form).
        string user255 = new('u', 255);
        string label63 = new('d', 63);
        string domain253 = string.Join('.', label63, label63, label63, new string('d', 61));
        Assert.Equal(253, domain253.Length);
        Assert.True(MailAddressParser.TryParsePath($"<{user255}@{domain253}>", false, Local, out MailAddress longest, out _));
        Assert.Equal(255, longest.User.Length);
        Assert.False(MailAddressParser.TryParsePath($"<{user255}u@{domain253}>", false, Local, out _, out _));
        Assert.False(MailAddressParser.TryParsePath($"<{user255}@{domain253}d>", false, Local, out _, out _));
        Assert.True(MailAddressParser.TryParsePath($"<{new string('u', 64)}@example.org>", false, Local, out _, out _));
    }

    [Fact]
    public void ASourceRouteCountsTowardsTheUserPartLimit()
    {
        // The route is cut off only after the 255-octet check of everything left of the last "@".
        string route = new('r', 250);
        Assert.True(MailAddressParser.TryParsePath($"<@{route}:u@example.org>", false, Local, out MailAddress ok, out _));
        Assert.Equal("u", ok.User);
        Assert.False(MailAddressParser.TryParsePath($"<@{route}rrrr:u@example.org>", false, Local, out _, out _));
    }

    [Theory]
    [InlineData("example.org", true)]
    [InlineData("a", true)]
    [InlineData("a-b.c_d.e", true)]
    [InlineData("1.2.3.4", true)]
    [InlineData("", false)]
    [InlineData("example.org.", false)]
    [InlineData("-a.org", false)]
    [InlineData("a-.org", true)]
    [InlineData("a_.org", true)]
    [InlineData("bad..name", false)]
    [InlineData("[127.0.0.1]", true)]
    [InlineData("[IPv6:::1]", true)]
    [InlineData("[::1]", true)]
    [InlineData("[]", false)]
    [InlineData("[IPv6:]", false)]
    [InlineData("[127.0.0.1]]", false)]
    [InlineData("[::ffff:192.0.2.1]", true)]
    [InlineData("[ipv6:::1]", true)]
    [InlineData("[IPv6:192.0.2.1]", true)]
    [InlineData("[ IPv6:::1]", false)]
    [InlineData("[IPv6: ::1]", false)]
    [InlineData("[::1%lo]", false)]
    [InlineData("[192.0.2.1", false)]
    [InlineData("[192.0.2.1]x", false)]
    [InlineData("[example.org]", false)]
    [InlineData("exämple.org", false)]
    public void DomainPartsFollowValidDomainpart(string domain, bool valid)
    {
        Assert.Equal(valid, MailAddressParser.IsValidDomainPart(domain));
    }

    [Theory]
    [InlineData("rfc822;alice@example.org", true)]
    [InlineData("rfc822;alice+2Bx@example.org", true)]
    [InlineData("rfc822;a+2b", false)]
    [InlineData("rfc822;a+2", false)]
    [InlineData("rfc822;a=b", false)]
    [InlineData("rfc822;a b", false)]
    public void XtextAllowsOnlyPrintablesAndUpperHexEscapes(string text, bool valid)
    {
        Assert.Equal(valid, MailAddressParser.IsValidXtext(text.AsSpan(text.IndexOf(';', StringComparison.Ordinal) + 1)));
    }

    [Fact]
    public void RandomTextNeverThrows()
    {
        var random = new Random(5321);
        const string alphabet = "<>@:.,[]\"\\ aZ09-_+=;%/\t\r\n\0é";
        for (int i = 0; i < 20000; i++)
        {
            char[] text = new char[random.Next(0, 40)];
            for (int j = 0; j < text.Length; j++)
            {
                text[j] = alphabet[random.Next(alphabet.Length)];
            }

            string s = (random.Next(2) == 0 ? "<" : string.Empty) + new string(text);
            MailAddressParser.TryParsePath(s, random.Next(2) == 0, Local, out _, out _);
            SmtpParameterParser.TryParseMailFrom(s, dsn: true, out _, out _);
            SmtpParameterParser.TryParseRcptTo(s, dsn: true, out _, out _);
        }
    }
}
