// What the filter chain decided for one phase (smtpd-filters(7) filter-result).
// Behaviour reference: usr.sbin/smtpd/smtpd.h (FILTER_PROCEED and friends), smtp_session.c
// (IMSG_FILTER_SMTP_PROTOCOL)
namespace Smtpd.Smtp;

internal enum SmtpFilterDecision
{
    /// <summary>Go on as if there were no filter.</summary>
    Proceed = 0,

    /// <summary>Go on with a replaced parameter, which is checked again first.</summary>
    Rewrite = 2,

    /// <summary>Answer with the given reply instead; a 421 also ends the session.</summary>
    Reject = 3,

    /// <summary>Answer with the given reply and end the session.</summary>
    Disconnect = 4,

    /// <summary>Go on, and mark the message (or every message of the session) with X-Spam: Yes.</summary>
    Junk = 5,
}
