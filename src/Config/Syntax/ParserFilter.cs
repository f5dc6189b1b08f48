// Which conditions each filter phase can test, and the phases' names (the filter and proc
// statements are in Grammar.Filter.cs).
// Behaviour reference: usr.sbin/smtpd/parse.y (filter, filter_phase, filterel, proc, proc_params).
namespace Smtpd.Config;

internal sealed partial class Parser
{
    /// <summary>Which conditions each phase can test: only what is known by that point of the session.</summary>
    internal static bool CheckAllowedInPhase(FilterCheckKind kind, FilterPhase phase) => kind switch
    {
        FilterCheckKind.Fcrdns or FilterCheckKind.Rdns or FilterCheckKind.Src => true,
        FilterCheckKind.Helo => phase != FilterPhase.Connect,
        FilterCheckKind.Auth => phase is FilterPhase.Auth or FilterPhase.MailFrom or FilterPhase.RcptTo or FilterPhase.Data or FilterPhase.Commit,
        FilterCheckKind.MailFrom => phase is FilterPhase.MailFrom or FilterPhase.RcptTo or FilterPhase.Data or FilterPhase.Commit,
        _ => phase == FilterPhase.RcptTo,
    };

    internal static string PhaseName(FilterPhase phase) => phase switch
    {
        FilterPhase.Connect => "connect",
        FilterPhase.Helo => "helo",
        FilterPhase.Ehlo => "ehlo",
        FilterPhase.Auth => "auth",
        FilterPhase.MailFrom => "mail-from",
        FilterPhase.RcptTo => "rcpt-to",
        FilterPhase.Data => "data",
        _ => "commit",
    };
}
