using Smtpd.Mime;

namespace Smtpd.Tests.Mime;

public class SrsTests
{
    // Day 219 (modulo 1024) since the epoch; the expected addresses were computed with an
    // independent script of OpenSMTPD's srs.c algorithm.
    private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeSeconds(1_700_000_000);

    [Fact]
    public void AForwardedSenderBecomesAnSrs0AddressOfTheForwarderAsOpenSmtpdWritesIt()
    {
        var srs = new Srs("secret", null);
        Assert.Equal("SRS0=Pv6R=G3=example.org=user@forwarder.test", srs.Encode("user@example.org", "forwarder.test", Now));
        Assert.Equal("user@example.org", srs.Decode("SRS0=Pv6R=G3=example.org=user@forwarder.test", Now));
        Assert.Equal("user@example.org", srs.Decode("srs0=Pv6R=G3=example.org=user@forwarder.test", Now));
    }

    [Fact]
    public void AnSrs0SenderForwardedAgainBecomesSrs1AndReadsBackToTheFirstForwardersAddress()
    {
        var srs = new Srs("secret", null);
        string srs1 = srs.Encode("SRS0=Pv6R=G3=example.org=user@forwarder.test", "hop2.test", Now);
        Assert.Equal("SRS1=40B8=forwarder.test==Pv6R=G3=example.org=user@hop2.test", srs1);
        Assert.Equal("SRS0=Pv6R=G3=example.org=user@forwarder.test", srs.Decode(srs1, Now));

        // Forwarded a third time: re-signed, the previous hash dropped, the same origin kept.
        string again = srs.Encode(srs1, "hop3.test", Now);
        Assert.StartsWith("SRS1=", again, StringComparison.Ordinal);
        Assert.EndsWith("=forwarder.test==Pv6R=G3=example.org=user@hop3.test", again, StringComparison.Ordinal);
        Assert.Equal("SRS0=Pv6R=G3=example.org=user@forwarder.test", srs.Decode(again, Now));
    }

    [Fact]
    public void AWrongHashAnOldDayOrAnotherKeyIsRefusedAndTheBackupKeyIsAccepted()
    {
        const string Address = "SRS0=Pv6R=G3=example.org=user@forwarder.test";
        Assert.Null(new Srs("secret", null).Decode("SRS0=Xv6R=G3=example.org=user@forwarder.test", Now));
        Assert.Null(new Srs("other", null).Decode(Address, Now));
        Assert.Equal("user@example.org", new Srs("other", "secret").Decode(Address, Now));

        // Four days back is still valid (the default ttl), five is not; one day ahead is.
        Assert.Equal("user@example.org", new Srs("secret", null).Decode(Address, Now.AddDays(4)));
        Assert.Null(new Srs("secret", null).Decode(Address, Now.AddDays(5)));
        Assert.Equal("user@example.org", new Srs("secret", null).Decode(Address, Now.AddDays(-1)));
        Assert.Null(new Srs("secret", null).Decode(Address, Now.AddDays(-2)));
        Assert.Equal("user@example.org", new Srs("secret", null, ttlDays: 10).Decode(Address, Now.AddDays(10)));
    }

    [Theory]
    [InlineData("plain@example.org")]
    [InlineData("SRS0=")]
    [InlineData("SRS0=abcd")]
    [InlineData("SRS0=Pv6R=G3=nodelimiter@forwarder.test")]
    [InlineData("SRS1=40B8=x@y")]
    public void WhatIsNotOneOfOurAddressesDecodesToNothing(string rcpt) => Assert.Null(new Srs("secret", null).Decode(rcpt, Now));

    [Fact]
    public void ASenderWithoutDomainIsLeftAlone() => Assert.Equal("user", new Srs("secret", null).Encode("user", "forwarder.test", Now));
}
