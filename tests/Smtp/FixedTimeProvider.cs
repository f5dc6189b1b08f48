// A clock stopped at one instant in UTC, so Received headers can be compared byte for byte.
namespace Smtpd.Tests.Smtp;

internal sealed class FixedTimeProvider(DateTimeOffset now) : TimeProvider
{
    public static readonly FixedTimeProvider Default = new(new DateTimeOffset(2026, 11, 22, 2, 7, 36, TimeSpan.Zero));

    public override DateTimeOffset GetUtcNow() => now;

    public override TimeZoneInfo LocalTimeZone => TimeZoneInfo.Utc;
}
