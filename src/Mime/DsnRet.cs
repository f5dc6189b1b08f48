// RET= of MAIL FROM (RFC 3461): how much of the original message a failure report carries back;
// None when the client did not say (a report then returns the headers). One definition for the
// session, the IPC message, the envelope ("dsn-ret: FULL|HDRS") and the report builder; values
// match OpenSMTPD's enum dsn_ret and are frozen (WireEnumStabilityTests).
// Behaviour reference: usr.sbin/smtpd/smtpd.h (enum dsn_ret)
namespace Smtpd.Mime;

internal enum DsnRet : byte
{
    None = 0,
    Full = 1,
    Headers = 2,
}
