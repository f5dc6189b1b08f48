// What one filter (a builtin check or a filter process) decided for one phase. Failed means
// the filter process could not answer (gone, too slow, broken): the session gets a temporary
// failure, or proceeds when the filter only reports and is allowed to fail open.
// Behaviour reference: usr.sbin/smtpd/lka_filter.c (lka_filter_process_response, filter_result_*).
namespace Smtpd.Lka;

internal enum FilterAnswerKind
{
    Proceed,
    Junk,
    Rewrite,
    Reject,
    Disconnect,
    Report,
    Failed,
}

internal readonly record struct FilterAnswer(FilterAnswerKind Kind, string Parameter = "")
{
    public static readonly FilterAnswer Proceed = new(FilterAnswerKind.Proceed);

    public static FilterAnswer Failed(string why) => new(FilterAnswerKind.Failed, why);
}
