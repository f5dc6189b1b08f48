using System.Text;
using Smtpd.Mime;
using Smtpd.Queue;

namespace Smtpd.Tests.Queue;

public class EnvelopeFormatTests
{
    public static TheoryData<int> GoldenIndexes() => [0, 1, 2, 3, 4];

    private static Envelope Load(string text)
    {
        Assert.True(EnvelopeFormat.TryLoad(Encoding.UTF8.GetBytes(text), out var e, out string error), error);
        return e!;
    }

    private static string Dump(Envelope e)
    {
        Assert.True(EnvelopeFormat.TryDump(e, out byte[] bytes, out string error), error);
        return Encoding.UTF8.GetString(bytes);
    }

    private static string LoadError(string text)
    {
        Assert.False(EnvelopeFormat.TryLoad(Encoding.UTF8.GetBytes(text), out var e, out string error));
        Assert.Null(e);
        return error;
    }

    [Theory]
    [MemberData(nameof(GoldenIndexes))]
    public void OpenSmtpdEnvelopeLoadsAndDumpsBackByteIdentical(int index)
    {
        string golden = EnvelopeGolden.All[index];
        Assert.Equal(golden, Dump(Load(golden)));
    }

    [Fact]
    public void MdaEnvelopeFieldsAreRead()
    {
        var e = Load(EnvelopeGolden.Mda);
        Assert.Equal(EnvelopeFormat.Version, e.Version);
        Assert.Equal("local", e.Dispatcher);
        Assert.Equal(EnvelopeType.Mda, e.Type);
        Assert.Equal("192.0.2.10", e.SockAddr);
        Assert.Equal(new MailAddr("alice", "example.net"), e.Sender);
        Assert.Equal(new MailAddr("bob", "example.org"), e.Rcpt);
        Assert.Equal(1700000000, e.CreationTime);
        Assert.Equal(345600, e.Ttl);
        Assert.Equal(EnvelopeFlags.Authenticated, e.Flags);
        Assert.Equal("bob", e.MdaUser);
        Assert.Null(EnvelopeFormat.Validate(e));
    }

    [Fact]
    public void MtaEnvelopeFieldsAreRead()
    {
        var e = Load(EnvelopeGolden.Mta);
        Assert.Equal("MSA", e.Tag);
        Assert.Equal(EnvelopeType.Mta, e.Type);
        Assert.Equal("alice", e.Username);
        Assert.Equal("421 4.7.0 Try again later", e.ErrorLine);
        Assert.Equal("[2001:db8::1]", e.SockAddr);
        Assert.Equal(1700000600, e.LastTry);
        Assert.Equal(3, e.Retry);
        Assert.Equal(EnvelopeFlags.Authenticated | EnvelopeFlags.Internal, e.Flags);
        Assert.Equal(DsnNotify.Failure | DsnNotify.Delay, e.DsnNotify);
        Assert.Equal(DsnRet.Headers, e.DsnRet);
        Assert.Equal("QQ314159", e.DsnEnvId);
        Assert.Equal("rfc822;carol@example.com", e.DsnOrcpt);
        Assert.Equal(4, e.EscClass);
        Assert.Equal(70, e.EscCode);
    }

    [Fact]
    public void BounceFieldsAreReadAndTheEmptySenderIsTheNullPath()
    {
        var e = Load(EnvelopeGolden.BounceDelayed);
        Assert.Equal(EnvelopeType.Bounce, e.Type);
        Assert.True(e.Sender.IsEmpty);
        Assert.Equal(BounceType.Delayed, e.BounceType);
        Assert.Equal(3600, e.BounceDelay);
        Assert.Equal(342000, e.BounceTtl);
    }

    [Fact]
    public void UtfEightAddressesAndScopedIpv6RoundTrip()
    {
        var e = Load(EnvelopeGolden.MdaExec);
        Assert.Equal(new MailAddr("jörg", "bücher.example"), e.Sender);
        Assert.Equal("[fe80::1%eth0]", e.SockAddr);
        Assert.Equal("/usr/local/bin/procmail -f -", e.MdaExec);
        Assert.Equal("lists", e.MdaSubaddress);
    }

    [Fact]
    public void FreshEnvelopeDumpsOnlyTheAlwaysPresentFields()
    {
        string text = Dump(new Envelope { Helo = "h", Hostname = "n" });
        Assert.Equal(
            EnvelopeGolden.Lines(
                "version: 3", "type: mda", "helo: h", "hostname: n", "sender: @", "rcpt: @", "dest: @",
                "ctime: 0", "last-try: 0", "last-bounce: 0", "ttl: 0", "retry: 0", "dsn-notify: 0"),
            text);
    }

    [Fact]
    public void BounceDelayAndTtlAreOnlyWrittenForDelayedBounces()
    {
        var e = Load(EnvelopeGolden.BounceDelayed);
        e.BounceType = BounceType.Failed;
        string text = Dump(e);
        Assert.DoesNotContain("bounce-delay", text, StringComparison.Ordinal);
        Assert.DoesNotContain("bounce-ttl", text, StringComparison.Ordinal);
        Assert.EndsWith("bounce-type: failed\n", text, StringComparison.Ordinal);
    }

    [Fact]
    public void MdaFieldsAreNotWrittenForOtherTypes()
    {
        var e = Load(EnvelopeGolden.MdaExec);
        e.Type = EnvelopeType.Mta;
        Assert.DoesNotContain("mda-", Dump(e), StringComparison.Ordinal);
    }

    [Fact]
    public void EscCodeIsOmittedWithoutAnEscClass()
    {
        var e = Load(EnvelopeGolden.Mta);
        e.EscClass = 0;
        Assert.DoesNotContain("esc-", Dump(e), StringComparison.Ordinal);
    }

    [Fact]
    public void OldAndAliasSpellingsLoadAndDumpCanonically()
    {
        string text = EnvelopeGolden.BounceDelayed
            .Replace("bounce-type: delayed", "bounce-type: WARN", StringComparison.Ordinal)
            .Replace("flags: bounce", "flags: bounce,enqueued|Authenticated", StringComparison.Ordinal)
            .Replace("type: bounce\n", "TYPE : Bounce\n", StringComparison.Ordinal);
        var e = Load(text);
        Assert.Equal(BounceType.Delayed, e.BounceType);
        Assert.Equal(EnvelopeFlags.Bounce | EnvelopeFlags.Authenticated, e.Flags);
        Assert.Contains("flags: authenticated bounce\n", Dump(e), StringComparison.Ordinal);
    }

    [Fact]
    public void FieldOrderDoesNotMatterAndARepeatedKeyKeepsItsLastValue()
    {
        string[] lines = EnvelopeGolden.Mta.TrimEnd('\n').Split('\n');
        Array.Reverse(lines);
        var e = Load(EnvelopeGolden.Lines(lines) + "retry: 9\n");
        Assert.Equal(9, e.Retry);
        e.Retry = 3;
        Assert.Equal(EnvelopeGolden.Mta, Dump(e));
    }

    [Theory]
    [InlineData("version: 2\nhelo: x\n", "bad envelope version 2")]
    [InlineData("version: 65\n", "cannot parse version")]
    [InlineData("helo: x\n", "version not found")]
    [InlineData("Version: 3\n", "version not found")]
    [InlineData("", "version not found")]
    [InlineData("version: 3", "last line not terminated")]
    [InlineData("version: 3\n\n", "malformed line")]
    [InlineData("version: 3\nhelo x\n", "malformed line")]
    [InlineData("version: 3\nhe lo: x\n", "malformed line")]
    [InlineData("version: 3\n: x\n", "malformed line")]
    [InlineData("version: 3\nfavourite-colour: blue\n", "invalid field \"favourite-colour\"")]
    [InlineData("version: 3\nttl: -1\n", "invalid field \"ttl\"")]
    [InlineData("version: 3\nttl: 5 \n", "invalid field \"ttl\"")]
    [InlineData("version: 3\nttl: 9223372036854775808\n", "invalid field \"ttl\"")]
    [InlineData("version: 3\nretry: 65536\n", "invalid field \"retry\"")]
    [InlineData("version: 3\ndsn-notify: 256\n", "invalid field \"dsn-notify\"")]
    [InlineData("version: 3\ntype: smtp\n", "invalid field \"type\"")]
    [InlineData("version: 3\nflags: authenticated  bounce\n", "invalid field \"flags\"")]
    [InlineData("version: 3\nflags: hold\n", "invalid field \"flags\"")]
    [InlineData("version: 3\ndsn-ret: ALL\n", "invalid field \"dsn-ret\"")]
    [InlineData("version: 3\nbounce-type: maybe\n", "invalid field \"bounce-type\"")]
    [InlineData("version: 3\nsockaddr: 192.0.2.300\n", "invalid field \"sockaddr\"")]
    [InlineData("version: 3\nsockaddr: 192.0.2.01\n", "invalid field \"sockaddr\"")]
    [InlineData("version: 3\nsockaddr: [192.0.2.1]\n", "invalid field \"sockaddr\"")]
    [InlineData("version: 3\nsockaddr: \n", "invalid field \"sockaddr\"")]
    [InlineData("version: 3\nhelo: a\0b\n", "NUL in envelope")]
    public void MalformedFilesAreRejectedWithAReason(string text, string reason)
    {
        Assert.Equal(reason, LoadError(text));
    }

    [Fact]
    public void OverlongValuesAreRejectedOnLoadAndOnDump()
    {
        string helo = new('h', 256);
        Assert.Equal("invalid field \"helo\"", LoadError("version: 3\nhelo: " + helo + "\n"));
        Assert.Equal("invalid field \"tag\"", LoadError("version: 3\ntag: " + new string('t', 33) + "\n"));
        Assert.Equal("invalid field \"rcpt\"", LoadError("version: 3\nrcpt: " + new string('u', 256) + "@x\n"));
        Assert.False(EnvelopeFormat.TryDump(new Envelope { Helo = helo }, out _, out string error));
        Assert.Equal("helo: value too long", error);
        Assert.True(EnvelopeFormat.TryDump(new Envelope { Helo = new string('h', 255) }, out _, out _));
    }

    [Fact]
    public void ValuesKeepTrailingBlanksAndLoseOnlyTheBlanksAfterTheColon()
    {
        var e = Load("version: 3\nhelo:\t  spaced out \n");
        Assert.Equal("spaced out ", e.Helo);
    }

    [Fact]
    public void EnvelopesOpenSmtpdWouldNotAcceptFailValidation()
    {
        Assert.Equal("empty helo", EnvelopeFormat.Validate(Load("version: 3\nhostname: h\n")));
        Assert.Equal("empty hostname", EnvelopeFormat.Validate(Load("version: 3\nhelo: h\n")));
    }
}
