using Smtpd.Mime;

namespace Smtpd.Tests.Mime;

public class MessageDateTests
{
    [Theory]
    [InlineData(2026, 11, 22, 2, 7, 36, 0, "Sun, 22 Nov 2026 02:07:36 +0000")]
    [InlineData(2026, 1, 5, 23, 59, 59, 60, "Mon, 5 Jan 2026 23:59:59 +0100")]
    [InlineData(2024, 2, 29, 0, 0, 0, -330, "Thu, 29 Feb 2024 00:00:00 -0530")]
    public void FormatsLikeTimeToText(int y, int mo, int d, int h, int mi, int s, int offsetMinutes, string expected)
    {
        Assert.Equal(expected, MessageDate.Format(new DateTimeOffset(y, mo, d, h, mi, s, TimeSpan.FromMinutes(offsetMinutes))));
    }
}
