// The three answers of a lookup (sender check, authentication): OpenSMTPD's LKA_OK,
// LKA_TEMPFAIL and LKA_PERMFAIL.
// Behaviour reference: usr.sbin/smtpd/smtpd.h (enum lka_resp_status)
namespace Smtpd.Smtp;

internal enum SmtpLookupResult
{
    Ok,
    TempFail,
    PermFail,
}
