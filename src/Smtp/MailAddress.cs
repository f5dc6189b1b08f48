// A mailbox as OpenSMTPD keeps it: a user part and a domain part, either of which may be empty
// (the null reverse-path "<>" has both empty).
// Behaviour reference: usr.sbin/smtpd/smtpd-api.h (struct mailaddr), usr.sbin/smtpd/to.c
namespace Smtpd.Smtp;

internal readonly record struct MailAddress(string User, string Domain)
{
    public static readonly MailAddress Null = new(string.Empty, string.Empty);

    public bool IsNull => User.Length == 0 && Domain.Length == 0;

    /// <summary>user@domain, or the empty string for the null path (the form log lines use between &lt;&gt;).</summary>
    public override string ToString() => User.Length == 0 ? Domain : User + "@" + Domain;
}
