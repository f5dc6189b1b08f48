// Dates as OpenSMTPD writes them into Received headers: RFC 5322 with the zone abbreviation in
// a comment, never localised ("Sun, 22 Nov 2026 02:07:36 +0000 (UTC)").
// Behaviour reference: usr.sbin/smtpd/to.c (time_to_text)
using System.Globalization;
using Smtpd.Mime;

namespace Smtpd.Smtp;

internal static class SmtpDate
{
    /// <summary>"Sun, 22 Nov 2026 02:07:36 +0000 (UTC)": the RFC 5322 date in the zone's local time, then its abbreviation.</summary>
    public static string Format(DateTimeOffset utcNow, TimeZoneInfo zone)
    {
        DateTimeOffset local = TimeZoneInfo.ConvertTime(utcNow, zone);
        return MessageDate.Format(local) + " (" + Abbreviation(zone, local) + ")";
    }

    private static string Abbreviation(TimeZoneInfo zone, DateTimeOffset local)
    {
        if (zone.Id is "UTC" or "Etc/UTC" or "Etc/UCT" or "UCT" or "Universal" or "Etc/Universal" or "Zulu")
        {
            return "UTC";
        }

        // In invariant-globalization mode the names come from the tz database, which are the
        // abbreviations tm_zone gives (CET, CEST); a long display name is no use in a header.
        string name = zone.IsDaylightSavingTime(local) ? zone.DaylightName : zone.StandardName;
        if (name.Length is > 0 and <= 6 && !name.Contains(' ', StringComparison.Ordinal))
        {
            return name;
        }

        TimeSpan offset = local.Offset;
        int minutes = (int)Math.Abs(offset.TotalMinutes);
        return string.Create(CultureInfo.InvariantCulture, $"{(offset >= TimeSpan.Zero ? '+' : '-')}{minutes / 60:00}{minutes % 60:00}");
    }
}
