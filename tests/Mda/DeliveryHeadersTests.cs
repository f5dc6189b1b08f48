using System.Text;
using Smtpd.Mda;

namespace Smtpd.Tests.Mda;

public class DeliveryHeadersTests
{
    private static string Build(string sender, string rcpt) => Encoding.UTF8.GetString(DeliveryHeaders.Build(sender, rcpt));

    [Fact]
    public void ReturnPathComesFirstThenDeliveredToForTheRecipientAsGiven()
    {
        Assert.Equal("Return-Path: <alice@example.net>\nDelivered-To: list@example.org\n", Build("alice@example.net", "list@example.org"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("alice")]
    [InlineData("@example.net")]
    [InlineData("alice@")]
    public void WithoutAFullSenderAddressOnlyDeliveredToIsWritten(string sender)
    {
        Assert.Equal("Delivered-To: bob@example.org\n", Build(sender, "bob@example.org"));
    }

    [Fact]
    public void InternationalAddressesStayUtf8()
    {
        Assert.Equal("Return-Path: <jöran@exämple.net>\nDelivered-To: bob@example.org\n", Build("jöran@exämple.net", "bob@example.org"));
    }
}
