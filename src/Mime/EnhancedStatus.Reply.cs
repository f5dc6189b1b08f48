// Enhanced status codes as smtpd's own SMTP replies print them: "5.5.1" and its description text.
// The texts are protocol (clients and log parsers read them), so they are OpenSMTPD's, including
// its quirk that 5.7.7 has no text of its own in replies and reads "Other/Undefined".
// Behaviour reference: usr.sbin/smtpd/esc.c
namespace Smtpd.Mime;

internal readonly partial record struct EnhancedStatus
{
    /// <summary>The dotted form, e.g. (PermFail, InvalidCommand) → "5.5.1".</summary>
    public static string Format(EnhancedStatusClass statusClass, EnhancedStatusCode code)
    {
        int c = (int)code;
        return string.Create(null, stackalloc char[16], $"{(int)statusClass}.{c / 10}.{c % 10}");
    }

    /// <summary>The reply text for a code: the shared table, but byte-for-byte OpenSMTPD's on 7.7.</summary>
    public static string ReplyDescription(EnhancedStatusCode code) =>
        code == EnhancedStatusCode.MessageIntegrityFailure ? EnhancedStatusTexts.Undefined : EnhancedStatusTexts.Describe(code);

    /// <summary>"5.5.1 Invalid command": the code followed by its reply description, the common reply prefix.</summary>
    public static string ReplyText(EnhancedStatusClass statusClass, EnhancedStatusCode code) =>
        Format(statusClass, code) + " " + ReplyDescription(code);
}
