// The first digit of an RFC 3463 enhanced status code: whether the outcome is final, and which way.
// Behaviour reference: usr.sbin/smtpd/esc.c (enum enhanced_status_class in smtpd-api.h).
namespace Smtpd.Mime;

internal enum EnhancedStatusClass : byte
{
    Success = 2,
    TempFail = 4,
    PermFail = 5,
}
