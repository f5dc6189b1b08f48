// Which report a bounce is: failure, delay warning, or a success notice (DSN NOTIFY=SUCCESS).
// "Relayed" is the success notice for a next hop that does not speak DSN (RFC 3464's "relayed").
// Behaviour reference: usr.sbin/smtpd/bounce.c (enum bounce_type, action_str)
namespace Smtpd.Mime;

internal enum BounceType
{
    Failed,
    Delayed,
    Delivered,
    Relayed,
}
