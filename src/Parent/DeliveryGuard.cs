// The parent's delivery path runs detached from the message loop that started it (a helper's
// answer can take minutes): an exception there would otherwise vanish with its task, the
// dispatcher would never hear about the envelope and would keep it, and its delivery slot, in
// flight until the daemon restarts. Every delivery therefore ends in an outcome: a failure of
// ours becomes a temporary failure, logged, and the queue tries again later.
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;

namespace Smtpd.Parent;

internal static class DeliveryGuard
{
    /// <summary>The outcome <paramref name="deliver"/> gives, or a temporary failure when it throws.</summary>
    public static async Task<DeliveryOutcome> RunAsync(ulong evpId, Func<Task<DeliveryOutcome>> deliver)
    {
        try
        {
            return await deliver();
        }
        catch (Exception e)
        {
            // Anything at all: the alternative is an envelope stuck in flight.
            Log.Warn($"warn: smtpd: delivery of evp:{evpId:x16} failed in the parent: {e.GetType().Name}: {e.Message}");
            return new DeliveryOutcome(evpId, DeliveryOutcomeStatus.TempFail, "internal error in the delivery process");
        }
    }
}
