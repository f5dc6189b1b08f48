// How a delivery attempt ended, as DeliveryOutcome carries it between the mda helper, parent,
// dispatcher, queue and scheduler. Values are wire format (frozen by WireEnumStabilityTests).
// Behaviour reference: usr.sbin/smtpd/smtpd.h (IMSG_MDA_DELIVERY_OK/TEMPFAIL/PERMFAIL/LOOP).
namespace Smtpd.Ipc.Messages;

internal enum DeliveryOutcomeStatus : byte
{
    Ok = 0,
    TempFail = 1,
    PermFail = 2,
    Loop = 3,

    /// <summary>The scheduler gave up on the envelope (its ttl passed): sent to the queue, which bounces it.</summary>
    Expired = 4,
}
