// Received-header dates, as OpenSMTPD's time_to_text writes them.
using Smtpd.Smtp;

namespace Smtpd.Tests.Smtp;

public class SmtpDateTests
{
    private static readonly DateTimeOffset s_instant = new(2026, 11, 1, 2, 7, 36, TimeSpan.Zero);

    [Fact]
    public void UtcIsWrittenAsOpenSmtpdWritesIt()
    {
        Assert.Equal("Sun, 1 Nov 2026 02:07:36 +0000 (UTC)", SmtpDate.Format(s_instant, TimeZoneInfo.Utc));
    }

    [Theory]
    [InlineData(330, "IST", "Sun, 1 Nov 2026 07:37:36 +0530 (IST)")]
    [InlineData(-210, "NST", "Sat, 31 Oct 2026 22:37:36 -0330 (NST)")]
    [InlineData(60, "Central European Standard Time", "Sun, 1 Nov 2026 03:07:36 +0100 (+0100)")]
    public void OtherZonesShowTheirOffsetAndAbbreviation(int minutes, string name, string text)
    {
        var zone = TimeZoneInfo.CreateCustomTimeZone("test", TimeSpan.FromMinutes(minutes), name, name);
        Assert.Equal(text, SmtpDate.Format(s_instant, zone));
    }
}
