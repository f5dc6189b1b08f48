// One "keyword number" pair of a limit directive (mda, mta, scheduler or smtp limits).
// Behaviour reference: usr.sbin/smtpd/parse.y (opt_limit_*), limit.c (limit_mta_set).
namespace Smtpd.Config;

internal sealed record LimitSetting(string Key, long Value)
{
    public SourceLocation Where { get; init; } = SourceLocation.None;
}
