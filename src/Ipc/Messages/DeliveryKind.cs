// What kind of attempt an envelope needs (smtpd.h enum delivery_type), as ScheduleEntry carries it
// from the queue to the scheduler; retries back off differently. Values are wire format and
// match the queue's EnvelopeType.
namespace Smtpd.Ipc.Messages;

internal enum DeliveryKind : byte
{
    Mda = 0,
    Mta = 1,
    Bounce = 2,
}
