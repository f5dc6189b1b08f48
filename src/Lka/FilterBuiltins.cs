// The conditions of builtin filters ("filter NAME phase PHASE match CONDITION ACTION"). A
// negated condition matches when the plain one does not.
// Where OpenSMTPD differs: its builtin filters never match in the auth phase
// (filter_builtins_notimpl); here they test the same conditions as in the other phases.
// Behaviour reference: usr.sbin/smtpd/lka_filter.c (filter_check_*, filter_builtins_*).
using System.Net;
using Smtpd.Config;
using Smtpd.Ipc.Messages;
using Smtpd.Tables;

namespace Smtpd.Lka;

internal static class FilterBuiltins
{
    /// <summary>Whether <paramref name="check"/> holds for the session (and, in rcpt-to, the recipient <paramref name="parameter"/>).</summary>
    public static bool Matches(FilterCheck check, FilterSession s, string parameter, Func<TableRef, ITable> resolve) =>
        Evaluate(check, s, parameter, resolve) == MatchResult.Match;

    /// <summary>
    /// As <see cref="Matches"/>, tri-state: a table lookup that failed (a regex that ran out of
    /// time, a dead table process) is a temporary failure, whatever the negation, never "no match":
    /// a check meant to reject must not let mail through because it could not be answered.
    /// </summary>
    public static MatchResult Evaluate(FilterCheck check, FilterSession s, string parameter, Func<TableRef, ITable> resolve)
    {
        MatchResult plain = check.Kind switch
        {
            FilterCheckKind.Fcrdns => Is(s.Fcrdns == FcrdnsResult.Pass),
            FilterCheckKind.Rdns when check.Table is null => Is(HasRdns(s.Rdns)),
            FilterCheckKind.Rdns => InTable(check, resolve, TableService.Domain, s.Rdns),
            FilterCheckKind.Src => InTable(check, resolve, TableService.Netaddr, s.Source),
            FilterCheckKind.Helo => InTable(check, resolve, TableService.Domain, s.Helo),
            FilterCheckKind.Auth when check.Table is null => Is(s.Username is not null),
            FilterCheckKind.Auth => Either(InTable(check, resolve, TableService.String, s.Username), () => check.Regex ? MatchResult.NoMatch : InTable(check, resolve, TableService.Credentials, s.Username)),
            FilterCheckKind.MailFrom => InTable(check, resolve, TableService.Mailaddr, s.MailFrom),
            _ => InTable(check, resolve, TableService.Mailaddr, parameter),
        };
        return plain == MatchResult.TempFail || !check.Negated ? plain : plain == MatchResult.Match ? MatchResult.NoMatch : MatchResult.Match;
    }

    // A name that is an address literal is no reverse name (filter_check_rdns).
    private static bool HasRdns(string rdns) => rdns != "<unknown>" && !IPAddress.TryParse(rdns.Trim('[', ']'), out _);

    private static MatchResult Is(bool value) => value ? MatchResult.Match : MatchResult.NoMatch;

    private static MatchResult Either(MatchResult first, Func<MatchResult> second) =>
        first == MatchResult.NoMatch ? second() : first;

    private static MatchResult InTable(FilterCheck check, Func<TableRef, ITable> resolve, TableService service, string? key)
    {
        if (key is null || check.Table is null)
        {
            return MatchResult.NoMatch;
        }

        return resolve(check.Table).Match(check.Regex ? TableService.Regex : service, key);
    }
}
