// A mail address as the queue stores it: local part and domain, written "user@domain" (an empty
// address is "@"). Reading splits at the last '@', so a local part may itself contain '@'.
// Behaviour reference: usr.sbin/smtpd/to.c (text_to_mailaddr, mailaddr_to_text).
namespace Smtpd.Queue;

internal readonly record struct MailAddr(string User, string Domain)
{
    public static readonly MailAddr Empty = new(string.Empty, string.Empty);

    public bool IsEmpty => User.Length == 0 && Domain.Length == 0;

    /// <summary>Splits at the last '@'; without one the whole text is the local part.</summary>
    public static MailAddr Parse(string text)
    {
        int at = text.LastIndexOf('@');
        return at < 0 ? new MailAddr(text, string.Empty) : new MailAddr(text[..at], text[(at + 1)..]);
    }

    public override string ToString() => User + "@" + Domain;
}
