// The host names OpenSMTPD 7.8 on Linux accepts in HELO/EHLO and in address domains, rule by
// rule. Every row was also sent to Debian's OpenSMTPD build (same valid_domainpart, glibc's
// res_hnok) as EHLO, MAIL FROM and RCPT TO; the backslash rows are our one deliberate difference.
using Smtpd.Smtp;

namespace Smtpd.Tests.Smtp;

public class HostNameSyntaxTests
{
    private static readonly string s_label63 = new('d', 63);
    private static readonly string s_label64 = new('d', 64);

    public static TheoryData<string, bool, string> Names => new()
    {
        // Labels: letters, digits, "-" and "_", at least one octet each.
        { "a", true, "one letter" },
        { "1", true, "one digit" },
        { "1.2.3.4", true, "all-numeric labels (a dotted quad without brackets is a host name)" },
        { "mx.example.org", true, "ordinary name" },
        { "MX.Example.ORG", true, "letters of either case" },
        { "under_score.example", true, "underscore inside a label" },
        { "xn--bcher-kva.example", true, "double hyphen inside a label" },
        { "bad..name", false, "empty label in the middle" },
        { "b..example", false, "empty label after the first" },
        { "a...b", false, "several empty labels" },
        { ".a", false, "empty first label" },
        { "a.", false, "trailing dot" },
        { ".", false, "the root alone" },
        { "..", false, "two empty labels" },
        { "", false, "empty name" },
        { "exa mple.org", false, "space" },
        { "a*b.example", false, "asterisk" },
        { "*.example", false, "wildcard label" },
        { "a/b.example", false, "slash" },
        { "a:b", false, "colon" },
        { "exämple.org", false, "non-ASCII letter" },
        { "a\tb", false, "control character" },

        // Hyphen and underscore at label borders: only a hyphen opening the whole name is refused.
        { "-a", false, "hyphen opens the name" },
        { "-a.example", false, "hyphen opens the first label" },
        { "-", false, "a lone hyphen" },
        { "a-", true, "hyphen ends the only label" },
        { "a-.example", true, "hyphen ends the first label" },
        { "example.-a", true, "hyphen opens a later label" },
        { "example.a-", true, "hyphen ends the last label" },
        { "example.-", true, "a later label that is one hyphen" },
        { "_a", true, "underscore opens the name" },
        { "a_", true, "underscore ends the name" },
        { "a_.example", true, "underscore ends a label" },
        { "example._a", true, "underscore opens a later label" },
        { "_", true, "a lone underscore" },

        // Label length: at most 63 octets, wherever the label stands.
        { s_label63 + ".example", true, "63-octet first label" },
        { "example." + s_label63, true, "63-octet last label" },
        { s_label63, true, "63-octet single label" },
        { s_label64 + ".example", false, "64-octet first label" },
        { "example." + s_label64, false, "64-octet last label" },
        { "a." + s_label64 + ".example", false, "64-octet middle label" },
        { s_label64, false, "64-octet single label" },

        // Whole name: at most 253 octets (255 in DNS wire form).
        { Name(253), true, "253 octets" },
        { Name(254), false, "254 octets, all labels short enough" },
        { Name(255), false, "255 octets" },
        { Name(300), false, "300 octets" },

        // DNS escapes: glibc would read them (a\065b is aAb); we refuse every backslash.
        { "a\\065b", false, "decimal escape" },
        { "a\\b", false, "character escape" },
        { "a\\.b", false, "escaped dot" },
        { "a\\", false, "trailing backslash" },
    };

    [Theory]
    [MemberData(nameof(Names))]
    public void HostNamesFollowValidDomainpartOnLinux(string name, bool valid, string rule)
    {
        Assert.True(valid == HostNameSyntax.IsValid(name), $"{rule}: \"{name}\" should be {(valid ? "accepted" : "refused")}");
        Assert.True(valid == MailAddressParser.IsValidDomainPart(name), $"{rule}: domain part \"{name}\"");
    }

    [Fact]
    public void TheLengthHelperBuildsNamesOfLegalLabels()
    {
        Assert.Equal(253, Name(253).Length);
        Assert.All(Name(300).Split('.'), label => Assert.InRange(label.Length, 1, HostNameSyntax.MaxLabelLength));
    }

    /// <summary>A name of exactly <paramref name="length"/> octets made of 63-octet labels and a shorter last one.</summary>
    private static string Name(int length)
    {
        var labels = new List<string>();
        int left = length;
        while (left > 64)
        {
            labels.Add(s_label63);
            left -= 64;
        }

        labels.Add(new string('e', left));
        return string.Join('.', labels);
    }
}
