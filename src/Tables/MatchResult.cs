// A tri-state answer: a lookup that could not be made (a dead table program, an unreadable
// file) must defer the mail, never read as "no match" and let it through or bounce it.
namespace Smtpd.Tables;

internal enum MatchResult
{
    NoMatch = 0,
    Match = 1,
    TempFail = -1,
}
