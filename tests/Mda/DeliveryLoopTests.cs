using System.Text;
using Smtpd.Mda;

namespace Smtpd.Tests.Mda;

public class DeliveryLoopTests
{
    private const string Dest = "bob@example.org";

    private static bool Detect(string message, string dest = Dest)
    {
        using var s = new MemoryStream(Encoding.UTF8.GetBytes(message));
        return DeliveryLoop.Detect(s, dest);
    }

    [Theory]
    [InlineData("Delivered-To: bob@example.org\nSubject: x\n\nbody\n")]
    [InlineData("Received: from a\n\tby b;\nDelivered-To: bob@example.org\n\nbody\n")]
    [InlineData("delivered-to: BOB@Example.ORG\n\nbody\n")]
    [InlineData("Subject: x\nDelivered-To: bob@example.org")]
    public void ADeliveredToLineForTheDestinationIsALoop(string message)
    {
        Assert.True(Detect(message));
    }

    [Theory]
    [InlineData("Delivered-To: alice@example.org\n\nbody\n")]
    [InlineData("Delivered-To: bob@example.org.evil\n\n")]
    [InlineData("Delivered-To: <bob@example.org>\n\n")]
    [InlineData("Delivered-To:bob@example.org\n\n")]
    [InlineData("Delivered-To:  bob@example.org\n\n")]
    [InlineData("Delivered-To: bob@example.org \n\n")]
    [InlineData("X-Delivered-To: bob@example.org\n\n")]
    public void OnlyTheExactFieldAndAddressCount(string message)
    {
        Assert.False(Detect(message));
    }

    [Theory]
    [InlineData("Subject: x\n\nDelivered-To: bob@example.org\n")]
    [InlineData("Subject: x\nnot a header line\nDelivered-To: bob@example.org\n")]
    public void TheBodyIsNotSearched(string message)
    {
        Assert.False(Detect(message));
    }

    [Fact]
    public void ContinuationLinesKeepTheHeaderSectionOpen()
    {
        Assert.True(Detect("Subject: a long\n subject without a colon\n\tand more\nDelivered-To: bob@example.org\n\n"));
    }

    [Fact]
    public void AHeaderSectionLongerThanOneReadIsScannedToTheEnd()
    {
        string many = string.Concat(Enumerable.Repeat("X-Filler: " + new string('f', 100) + "\n", 500));
        Assert.True(Detect("Subject: x\n" + many + "Delivered-To: bob@example.org\n\nbody\n"));
    }

    [Fact]
    public void TheStreamIsPutBackWhereItWas()
    {
        using var s = new MemoryStream(Encoding.ASCII.GetBytes("Subject: x\n\nbody\n"));
        Assert.False(DeliveryLoop.Detect(s, Dest));
        Assert.Equal(0, s.Position);
    }
}
