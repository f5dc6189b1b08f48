// RFC 3463 enhanced status codes as they appear in replies: "5.5.1" and its description text.
// The texts are protocol (clients and log parsers read them), so they are OpenSMTPD's, including
// its quirk that 5.7.7 has no text of its own and reads "Other/Undefined".
// Behaviour reference: usr.sbin/smtpd/esc.c
using Smtpd.Mime;

namespace Smtpd.Smtp;

internal static class EnhancedStatus
{
    /// <summary>The dotted form, e.g. (PermFail, InvalidCommand) → "5.5.1".</summary>
    public static string Code(EnhancedStatusClass statusClass, EnhancedStatusCode code)
    {
        int c = (int)code;
        return string.Create(null, stackalloc char[16], $"{(int)statusClass}.{c / 10}.{c % 10}");
    }

    /// <summary>The reply text for a code: the shared table, but byte-for-byte OpenSMTPD's on 7.7.</summary>
    public static string Description(EnhancedStatusCode code) =>
        code == EnhancedStatusCode.MessageIntegrityFailure ? EnhancedStatusTexts.Undefined : EnhancedStatusTexts.Describe(code);

    /// <summary>"5.5.1 Invalid command": the code followed by its description, the common reply prefix.</summary>
    public static string WithDescription(EnhancedStatusClass statusClass, EnhancedStatusCode code) =>
        Code(statusClass, code) + " " + Description(code);
}
