// To/Cc/From rewriting, case by case, traced by hand through OpenSMTPD's header_domain_append_callback.
using Smtpd.Smtp;

namespace Smtpd.Tests.Smtp;

public class HeaderAddressRewriterTests
{
    private const string Domain = "mx.example.org";

    [Theory]
    [InlineData(" bob", "To: bob@mx.example.org\n")]
    [InlineData(" bob@example.org", "To: bob@example.org\n")]
    [InlineData(" Bob Smith <bob>", "To: Bob Smith <bob@mx.example.org>\n")]
    [InlineData(" Bob Smith < bob >", "To: Bob Smith < bob@mx.example.org >\n")]
    [InlineData(" a, b@x, c", "To: a@mx.example.org, b@x, c@mx.example.org\n")]
    [InlineData(" undisclosed-recipients:;", "To: undisclosed-recipients:;\n")]
    [InlineData(" \"Smith, Bob\" <bob>", "To: \"Smith, Bob\" <bob@mx.example.org>\n")]
    [InlineData(" bob (Bob, the builder)", "To: bob@mx.example.org (Bob, the builder)\n")]
    [InlineData(" a,\n b", "To: a@mx.example.org,\n b@mx.example.org\n")]
    [InlineData(" <>", "To: <>\n")]
    [InlineData("", "To:\n")]
    [InlineData(" \"unbalanced", "To: \"unbalanced\n")]
    [InlineData(" (open comment", "To: (open comment\n")]
    public void AddressesWithoutADomainGetTheListenersHostname(string value, string stored)
    {
        Assert.Equal(stored, HeaderAddressRewriter.Rewrite("To", value, Domain, masquerade: null));
    }

    [Theory]
    [InlineData("From", " Alice <alice@old.example>", "From: Alice <alice@new.example>\n")]
    [InlineData("from", " alice@old.example", "from: alice@new.example\n")]
    [InlineData("From", " alice", "From: alice@new.example\n")]
    [InlineData("To", " Alice <alice@old.example>", "To: Alice <alice@old.example>\n")]
    public void MasqueradingReplacesTheFromAddressOnly(string name, string value, string stored)
    {
        Assert.Equal(stored, HeaderAddressRewriter.Rewrite(name, value, Domain, "alice@new.example"));
    }

    [Fact]
    public void AnAddressFillingTheWholeBufferIsPassedThroughUntouched()
    {
        string huge = " " + new string('a', 70000);
        Assert.Equal("To:" + huge + "\n", HeaderAddressRewriter.Rewrite("To", huge, Domain, null));
    }

    [Fact]
    public void RandomHeaderValuesNeverThrowAndAlwaysEndTheField()
    {
        const string Alphabet = "<>()\"\\,:;@ \t\nabc.-+=?/[]%{}0123456789\u00e9";
        var rng = new Random(822);
        for (int i = 0; i < 1000; i++)
        {
            var chars = new char[rng.Next(0, 60)];
            for (int c = 0; c < chars.Length; c++)
            {
                chars[c] = Alphabet[rng.Next(Alphabet.Length)];
            }

            string field = HeaderAddressRewriter.Rewrite("To", new string(chars), "mx.example.org", rng.Next(2) == 0 ? null : "me@example.org");
            Assert.StartsWith("To:", field, StringComparison.Ordinal);
            Assert.EndsWith("\n", field, StringComparison.Ordinal);
        }
    }
}
