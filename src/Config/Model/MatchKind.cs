// Every criterion a match rule can test.
// Behaviour reference: usr.sbin/smtpd/parse.y (match_option).
namespace Smtpd.Config;

// The numbers are part of the serialized configuration (ConfigSerializer): append, never renumber.
internal enum MatchKind
{
    FromAny = 0,
    FromLocal = 1,
    FromSocket = 2,
    FromSrc = 3,
    FromRdns = 4,
    FromAuth = 5,
    FromMailFrom = 6,
    ForAny = 7,
    ForLocal = 8,
    ForDomain = 9,
    ForRcptTo = 10,
    Tag = 11,
    Helo = 12,
    Tls = 13,
    Auth = 14,
    MailFrom = 15,
    RcptTo = 16,
}
