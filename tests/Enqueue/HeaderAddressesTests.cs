using Smtpd.Enqueue;

namespace Smtpd.Tests.Enqueue;

public class HeaderAddressesTests
{
    [Theory]
    [InlineData(" a@example.org", new[] { "a@example.org" })]
    [InlineData(" Alice <a@example.org>, b@example.org (Bob)", new[] { "a@example.org", "b@example.org" })]
    [InlineData(" \"Doe, John\" <j@example.org>", new[] { "j@example.org" })]
    [InlineData(" \"quoted local\"@example.org", new[] { "\"quoted local\"@example.org" })]
    [InlineData(" team: x@example.org, y@example.org;, z@example.org", new[] { "x@example.org", "y@example.org", "z@example.org" })]
    [InlineData(" undisclosed-recipients:;", new string[0])]
    [InlineData(" <@relay.example:user@example.org>", new[] { "user@example.org" })]
    [InlineData(" (a (nested) comment) c@example.org", new[] { "c@example.org" })]
    [InlineData(" root", new[] { "root" })]
    [InlineData(" ", new string[0])]
    [InlineData(" John Q. Public <jqp@example.org>, a@example.org,", new[] { "jqp@example.org", "a@example.org" })]
    [InlineData(" a@example.org, , b@[192.0.2.1] (literal)", new[] { "a@example.org", "b@[192.0.2.1]" })]
    [InlineData(" J\u00f6rg M\u00fcller <jm@example.org>", new[] { "jm@example.org" })]
    [InlineData(" =?utf-8?q?J=C3=B6rg?= <j@example.org>, \"a\\\"b\" <ab@example.org>", new[] { "j@example.org", "ab@example.org" })]
    [InlineData(" outer: inner@example.org, \"Q\" <q@example.org>;", new[] { "inner@example.org", "q@example.org" })]
    public void AddressesAreTheAddrSpecs(string value, string[] expected) =>
        Assert.Equal(expected, HeaderAddresses.Parse(value));

    [Theory]
    [InlineData(" \"unterminated <a@example.org>")]
    [InlineData(" (open comment a@example.org")]
    [InlineData(" Name <a@example.org")]
    public void UnbalancedSyntaxIsAnError(string value) => Assert.Null(HeaderAddresses.Parse(value));
}
