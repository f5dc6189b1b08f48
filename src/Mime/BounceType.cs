// Which report a bounce is: failure, delay warning, or a success notice (DSN NOTIFY=SUCCESS).
// "Relayed" is the success notice for a next hop that does not speak DSN (RFC 3464's "relayed").
// One definition for the queue's bounce envelopes, the IPC request and the report builder; the
// first three values match OpenSMTPD's enum bounce_type and are frozen (WireEnumStabilityTests).
// Behaviour reference: usr.sbin/smtpd/smtpd.h, bounce.c (enum bounce_type, action_str)
namespace Smtpd.Mime;

internal enum BounceType : byte
{
    Failed = 0,
    Delayed = 1,
    Delivered = 2,
    Relayed = 3,
}
