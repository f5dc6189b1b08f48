// A filter chain's answer: the decision and, for Rewrite, Reject and Disconnect, its parameter
// (the new argument, or the SMTP reply such as "550 go away").
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (IMSG_FILTER_SMTP_PROTOCOL)
namespace Smtpd.Smtp;

internal readonly record struct SmtpFilterResult(SmtpFilterDecision Decision, string Parameter)
{
    public static readonly SmtpFilterResult Proceed = new(SmtpFilterDecision.Proceed, string.Empty);

    public static readonly SmtpFilterResult Junk = new(SmtpFilterDecision.Junk, string.Empty);

    public static SmtpFilterResult Rewrite(string parameter) => new(SmtpFilterDecision.Rewrite, parameter);

    public static SmtpFilterResult Reject(string reply) => new(SmtpFilterDecision.Reject, reply);

    public static SmtpFilterResult Disconnect(string reply) => new(SmtpFilterDecision.Disconnect, reply);
}
