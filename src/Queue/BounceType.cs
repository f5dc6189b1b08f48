// Which report a bounce envelope produces. Values match OpenSMTPD's enum bounce_type.
// Behaviour reference: usr.sbin/smtpd/smtpd.h.
namespace Smtpd.Queue;

internal enum BounceType
{
    Failed = 0,
    Delayed = 1,
    Delivered = 2,
}
