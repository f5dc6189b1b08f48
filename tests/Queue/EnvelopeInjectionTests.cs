using System.Text;
using Smtpd.Queue;

namespace Smtpd.Tests.Queue;

// CVE-2020-8794: a newline inside a stored value (there, an SMTP error line from a hostile
// server) became a new "mda-exec" key. Every text field must refuse CR, LF and NUL.
public class EnvelopeInjectionTests
{
    private static readonly Dictionary<string, Action<Envelope, string>> Setters = new()
    {
        ["dispatcher"] = (e, v) => e.Dispatcher = v,
        ["tag"] = (e, v) => e.Tag = v,
        ["smtpname"] = (e, v) => e.SmtpName = v,
        ["helo"] = (e, v) => e.Helo = v,
        ["hostname"] = (e, v) => e.Hostname = v,
        ["username"] = (e, v) => e.Username = v,
        ["errorline"] = (e, v) => e.ErrorLine = v,
        ["sender"] = (e, v) => e.Sender = new MailAddr(v, "example.org"),
        ["rcpt"] = (e, v) => e.Rcpt = new MailAddr("x", v),
        ["dest"] = (e, v) => e.Dest = new MailAddr(v, "example.org"),
        ["dsn-envid"] = (e, v) => e.DsnEnvId = v,
        ["dsn-orcpt"] = (e, v) => e.DsnOrcpt = v,
        ["mda-exec"] = (e, v) => e.MdaExec = v,
        ["mda-subaddress"] = (e, v) => e.MdaSubaddress = v,
        ["mda-user"] = (e, v) => e.MdaUser = v,
    };

    public static TheoryData<string, string> FieldsAndBreakers()
    {
        var data = new TheoryData<string, string>();
        foreach (string field in Setters.Keys)
        {
            foreach (string breaker in new[] { "\n", "\r", "\0", "\r\n" })
            {
                data.Add(field, breaker);
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(FieldsAndBreakers))]
    public void DumpRefusesLineBreaksAndNulInEveryTextField(string field, string breaker)
    {
        var e = new Envelope { Helo = "h", Hostname = "n", Type = EnvelopeType.Mda };
        Setters[field](e, "a" + breaker + "mda-exec: /bin/sh -c id");
        Assert.False(EnvelopeFormat.TryDump(e, out byte[] bytes, out string error));
        Assert.Empty(bytes);
        Assert.StartsWith(field + ": ", error, StringComparison.Ordinal);
    }

    [Fact]
    public void TheCve20208794ErrorLineNeverBecomesAnMdaExecKey()
    {
        var e = new Envelope
        {
            Type = EnvelopeType.Mta,
            Helo = "h",
            Hostname = "n",
            ErrorLine = "4\nmda-exec: /bin/sh -c 'id > /tmp/pwned'\ntype: mda",
        };
        Assert.False(EnvelopeFormat.TryDump(e, out _, out string error));
        Assert.Equal("errorline: CR, LF or NUL in value", error);
    }

    [Theory]
    [InlineData(" leading")]
    [InlineData("\tleading")]
    public void DumpRefusesLeadingBlanksThatTheReaderWouldDrop(string value)
    {
        Assert.False(EnvelopeFormat.TryDump(new Envelope { Helo = value }, out _, out string error));
        Assert.Equal("helo: leading white space in value", error);
    }

    [Fact]
    public void DumpRefusesAnAtSignInTheDomainAndABadSockaddr()
    {
        Assert.False(EnvelopeFormat.TryDump(new Envelope { Rcpt = new MailAddr("a", "b@c") }, out _, out string e1));
        Assert.Equal("rcpt: '@' in domain", e1);
        Assert.False(EnvelopeFormat.TryDump(new Envelope { SockAddr = "example.org" }, out _, out string e2));
        Assert.Equal("sockaddr: not a stored address form", e2);
    }

    [Fact]
    public void AnAtSignInTheLocalPartRoundTrips()
    {
        var e = new Envelope { Helo = "h", Hostname = "n", Rcpt = new MailAddr("a@b", "c") };
        Assert.True(EnvelopeFormat.TryDump(e, out byte[] bytes, out _));
        Assert.True(EnvelopeFormat.TryLoad(bytes, out var back, out _));
        Assert.Equal(new MailAddr("a@b", "c"), back!.Rcpt);
    }

    [Fact]
    public void SockAddrTextComesFromAddresses()
    {
        Assert.Equal("local", EnvelopeSockAddr.FromAddress(null));
        Assert.Equal("192.0.2.1", EnvelopeSockAddr.FromAddress(System.Net.IPAddress.Parse("192.0.2.1")));
        Assert.Equal("192.0.2.1", EnvelopeSockAddr.FromAddress(System.Net.IPAddress.Parse("::ffff:192.0.2.1")));
        Assert.Equal("[2001:db8::1]", EnvelopeSockAddr.FromAddress(System.Net.IPAddress.Parse("2001:db8:0::1")));
    }

    [Fact]
    public void OverlongEnvelopesAreRefusedSoOpenSmtpdCanStillReadTheSpool()
    {
        var e = new Envelope
        {
            Helo = "h",
            Hostname = "n",
            ErrorLine = new string('e', 2047),
            MdaExec = new string('x', 2047),
            DsnOrcpt = new string('o', 500),
            Dispatcher = new string('d', 255),
            SmtpName = new string('s', 255),
            Username = new string('u', 255),
            MdaUser = new string('m', 255),
            MdaSubaddress = new string('b', 255),
            Sender = new MailAddr(new string('a', 255), new string('d', 255)),
            Rcpt = new MailAddr(new string('a', 255), new string('d', 255)),
            Dest = new MailAddr(new string('a', 255), new string('d', 255)),
        };
        Assert.False(EnvelopeFormat.TryDump(e, out _, out string error));
        Assert.Equal("envelope too large", error);
    }

    [Fact]
    public void RandomMutationsOfGoldenFilesNeverThrowAndLoadedResultsAreStable()
    {
        var rng = new Random(20200224);
        byte[] alphabet = "\n\r\0: -@[]%.,|abcxyz019\t\u00ff"u8.ToArray();
        int loaded = 0;
        for (int iter = 0; iter < 20000; iter++)
        {
            var data = new List<byte>(Encoding.UTF8.GetBytes(EnvelopeGolden.All[rng.Next(EnvelopeGolden.All.Length)]));
            int edits = rng.Next(1, 6);
            for (int k = 0; k < edits && data.Count > 0; k++)
            {
                int at = rng.Next(data.Count);
                switch (rng.Next(5))
                {
                    case 0:
                        data[at] = alphabet[rng.Next(alphabet.Length)];
                        break;
                    case 1:
                        data.Insert(at, alphabet[rng.Next(alphabet.Length)]);
                        break;
                    case 2:
                        data.RemoveAt(at);
                        break;
                    case 3:
                        data.RemoveRange(at, data.Count - at);
                        break;
                    default:
                        data[at] = (byte)rng.Next(256);
                        break;
                }
            }

            if (!EnvelopeFormat.TryLoad(data.ToArray(), out var e, out string error))
            {
                Assert.False(string.IsNullOrEmpty(error));
                continue;
            }

            loaded++;

            // Whatever loads either dumps to a file that loads to the same dump, or is refused with a reason.
            if (EnvelopeFormat.TryDump(e!, out byte[] dumped, out _))
            {
                Assert.True(EnvelopeFormat.TryLoad(dumped, out var again, out string why), why);
                Assert.True(EnvelopeFormat.TryDump(again!, out byte[] dumpedAgain, out _));
                Assert.Equal(dumped, dumpedAgain);
            }
        }

        Assert.InRange(loaded, 100, 19900);
    }
}
