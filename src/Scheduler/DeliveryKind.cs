// What kind of attempt an envelope needs (smtpd.h enum delivery_type); retries back off differently.
namespace Smtpd.Scheduler;

internal enum DeliveryKind
{
    Mda = 0,
    Mta = 1,
    Bounce = 2,
}
