// -T trace subsystems (smtpd.h TRACE_*), named as smtpd(8) documents them.
namespace Smtpd.Runtime;

[Flags]
internal enum TraceFlags : uint
{
    None = 0,
    Imsg = 0x0002,
    Io = 0x0004,
    Smtp = 0x0008,
    Filters = 0x0010,
    Mta = 0x0020,
    Bounce = 0x0040,
    Scheduler = 0x0080,
    Lookup = 0x0100,
    Stat = 0x0200,
    Rules = 0x0400,
    Mproc = 0x0800,
    Expand = 0x1000,
    Tables = 0x2000,
    Queue = 0x4000,
    All = 0xfffe,
}

internal static class TraceFlagsParser
{
    public static TraceFlags? Parse(string name) => name switch
    {
        "imsg" => TraceFlags.Imsg,
        "io" => TraceFlags.Io,
        "smtp" => TraceFlags.Smtp,
        "filters" => TraceFlags.Filters,
        "mta" or "transfer" => TraceFlags.Mta,
        "bounce" or "bounces" => TraceFlags.Bounce,
        "scheduler" => TraceFlags.Scheduler,
        "lookup" => TraceFlags.Lookup,
        "stat" or "stats" => TraceFlags.Stat,
        "rules" => TraceFlags.Rules,
        "mproc" => TraceFlags.Mproc,
        "expand" => TraceFlags.Expand,
        "table" or "tables" => TraceFlags.Tables,
        "queue" => TraceFlags.Queue,
        "all" => TraceFlags.All,
        "profstat" or "profile-imsg" or "profile-queue" => TraceFlags.None,
        _ => null,
    };
}
