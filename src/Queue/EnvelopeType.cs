// What an envelope asks for: local delivery, relaying, or a bounce back to the sender.
// Values match OpenSMTPD's enum delivery_type (the default, 0, is mda).
// Behaviour reference: usr.sbin/smtpd/smtpd-api.h.
namespace Smtpd.Queue;

internal enum EnvelopeType
{
    Mda = 0,
    Mta = 1,
    Bounce = 2,
}
