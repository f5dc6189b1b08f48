// RFC 5322 date-time text for Date:, Arrival-Date: and friends, spelled out by hand so that no
// culture can change a day or month name (OpenSMTPD avoids strftime for the same reason).
// Behaviour reference: usr.sbin/smtpd/to.c (time_to_text)
using System.Globalization;

namespace Smtpd.Mime;

internal static class MessageDate
{
    private static readonly string[] Days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    /// <summary>"Sun, 22 Nov 2026 02:07:36 +0000" in the offset the value carries.</summary>
    public static string Format(DateTimeOffset when)
    {
        var offset = when.Offset;
        char sign = offset < TimeSpan.Zero ? '-' : '+';
        var abs = offset.Duration();
        return string.Create(
            CultureInfo.InvariantCulture,
            $"{Days[(int)when.DayOfWeek]}, {when.Day} {Months[when.Month - 1]} {when.Year} {when.Hour:D2}:{when.Minute:D2}:{when.Second:D2} {sign}{abs.Hours:D2}{abs.Minutes:D2}");
    }
}
