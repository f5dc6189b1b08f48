// What show stats and monitor print, byte for byte as OpenSMTPD's smtpctl: key=value lines with
// uptime and uptime.human where "uptime" sorts among the keys, and monitor's table of
// per-second changes with its header every 25 lines.
// Behaviour reference: usr.sbin/smtpd/smtpctl.c do_show_stats(), do_monitor().
using System.Globalization;
using System.Text;
using Smtpd.Ipc.Messages;

namespace Smtpd.Ctl;

internal static class StatsText
{
    public static IEnumerable<string> Lines(IReadOnlyList<KeyValuePair<string, long>> counters, long uptime)
    {
        var all = new List<(string Key, long? Value)> { ("uptime", null) }; // (a loop: LINQ to a struct result costs idle memory, see smtpd.csproj)
        foreach (var c in counters)
        {
            if (c.Key != "uptime")
            {
                all.Add((c.Key, c.Value));
            }
        }

        all.Sort((a, b) => string.CompareOrdinal(a.Key, b.Key));
        foreach (var (key, value) in all)
        {
            if (value is { } v)
            {
                yield return string.Create(CultureInfo.InvariantCulture, $"{key}={v}");
            }
            else
            {
                yield return string.Create(CultureInfo.InvariantCulture, $"uptime={uptime}");
                yield return "uptime.human=" + Mime.DurationText.Of(uptime);
            }
        }
    }

    public const string MonitorHeader =
        "--- client ---  -- envelope --   ---- relay/delivery --- ------- misc -------\n" +
        "curr conn disc  curr  enq  deq   ok tmpfail prmfail loop expire remove bounce\n";

    /// <summary>Line number <paramref name="count"/> (from 0) of monitor, with the header before every 25th.</summary>
    public static string MonitorLines(long count, CtlDigest last, CtlDigest d)
    {
        var sb = new StringBuilder();
        if (count % 25 == 0)
        {
            if (count != 0)
            {
                sb.Append('\n');
            }

            sb.Append(MonitorHeader);
        }

        sb.Append(CultureInfo.InvariantCulture, $"{W(d.ClientConnect - d.ClientDisconnect)} {W(d.ClientConnect - last.ClientConnect)} {W(d.ClientDisconnect - last.ClientDisconnect)}  ");
        sb.Append(CultureInfo.InvariantCulture, $"{W(d.EnvelopeEnqueued - d.EnvelopeDequeued)} {W(d.EnvelopeEnqueued - last.EnvelopeEnqueued)} {W(d.EnvelopeDequeued - last.EnvelopeDequeued)} ");
        sb.Append(CultureInfo.InvariantCulture, $"{W(d.DeliveryOk - last.DeliveryOk)}    {W(d.DeliveryTempFail - last.DeliveryTempFail)}    {W(d.DeliveryPermFail - last.DeliveryPermFail)} {W(d.DeliveryLoop - last.DeliveryLoop)}   ");
        sb.Append(CultureInfo.InvariantCulture, $"{W(d.EnvelopeExpired - last.EnvelopeExpired)}   {W(d.EnvelopeRemoved - last.EnvelopeRemoved)}   {W(d.EnvelopeBounce - last.EnvelopeBounce)}\n");
        return sb.ToString();
    }

    // %4zu: at least four wide; a negative difference prints as size_t would.
    private static string W(long v) => ((ulong)v).ToString(CultureInfo.InvariantCulture).PadLeft(4);
}
