using System.Net;
using Smtpd.Mime;

namespace Smtpd.Tests.Mime;

public class ReceivedHeaderTests
{
    private static readonly ReceivedInfo Plain = new()
    {
        Helo = "client.example.net",
        Rdns = "client.example.net",
        Address = IPAddress.Parse("192.0.2.7"),
        SmtpName = "mx.example.org",
        Esmtp = true,
        MsgId = 0x3fa2c901,
        Time = new DateTimeOffset(2026, 11, 22, 2, 7, 36, TimeSpan.FromHours(1)),
    };

    [Fact]
    public void PlainEsmtpSessionWithOneRecipient()
    {
        Assert.Equal(
            "Received: from client.example.net (client.example.net [192.0.2.7])\n" +
            "\tby mx.example.org (OpenSMTPD) with ESMTP id 3fa2c901\n" +
            "\tfor <bob@example.org>;\n" +
            "\tSun, 22 Nov 2026 02:07:36 +0100\n",
            ReceivedHeader.Format(Plain with { SingleRecipient = "bob@example.org" }));
    }

    [Fact]
    public void TlsAuthAndReceivedAuth()
    {
        var info = Plain with
        {
            Secure = true,
            Authenticated = true,
            TlsVersion = "TLSv1.3",
            TlsCipher = "TLS_AES_256_GCM_SHA384",
            TlsCipherBits = 256,
            ReceivedAuth = true,
            UserName = "gilles",
        };
        Assert.Equal(
            "Received: from client.example.net (client.example.net [192.0.2.7])\n" +
            "\tby mx.example.org (OpenSMTPD) with ESMTPSA id 3fa2c901 (TLSv1.3:TLS_AES_256_GCM_SHA384:256:NO) auth=yes user=gilles;\n" +
            "\tSun, 22 Nov 2026 02:07:36 +0100\n",
            ReceivedHeader.Format(info));
        Assert.Contains("(TLSv1.3:TLS_AES_256_GCM_SHA384:256:YES) auth=no;", ReceivedHeader.Format(info with { TlsVerified = true, UserName = null, Authenticated = false }), StringComparison.Ordinal);
    }

    [Fact]
    public void MaskSourceJunkIpv6AndLocal()
    {
        Assert.Equal(
            "X-Spam: Yes\nReceived: \n\tby mx.example.org (OpenSMTPD) with SMTP id 3fa2c901;\n\tSun, 22 Nov 2026 02:07:36 +0100\n",
            ReceivedHeader.Format(Plain with { MaskSource = true, Junk = true, Esmtp = false }));
        Assert.StartsWith("Received: from h (r [2001:db8::1])\n", ReceivedHeader.Format(Plain with { Helo = "h", Rdns = "r", Address = IPAddress.Parse("2001:db8::1") }), StringComparison.Ordinal);
        Assert.StartsWith("Received: from h (r [local])\n", ReceivedHeader.Format(Plain with { Helo = "h", Rdns = "r", Address = null }), StringComparison.Ordinal);
    }

    [Fact]
    public void ItParsesAsOneFoldedField()
    {
        var p = new Rfc5322Parser();
        var events = new List<Rfc5322Event>();
        foreach (var line in ReceivedHeader.Format(Plain with { SingleRecipient = "b@c" }).TrimEnd('\n').Split('\n'))
        {
            Assert.True(p.Push(System.Text.Encoding.ASCII.GetBytes(line)));
            for (var ev = p.Next(); ev != Rfc5322Event.None; ev = p.Next())
            {
                events.Add(ev);
            }
        }

        Assert.Equal([Rfc5322Event.HeaderStart, Rfc5322Event.HeaderContinuation, Rfc5322Event.HeaderContinuation, Rfc5322Event.HeaderContinuation], events);
    }
}
