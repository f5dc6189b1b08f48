// The first digit of an RFC 3463 enhanced status code.
// Behaviour reference: usr.sbin/smtpd/smtpd-api.h (enum enhanced_status_class)
namespace Smtpd.Smtp;

internal enum EnhancedStatusClass
{
    Ok = 2,
    TempFail = 4,
    PermFail = 5,
}
