// A failure inside the parent's delivery path still gives the dispatcher an outcome (a temporary
// failure), so the envelope leaves the in-flight set and its slot is freed.
using Smtpd.Ipc.Messages;
using Smtpd.Parent;

namespace Smtpd.Tests.Parent;

public class DeliveryGuardTests
{
    [Fact]
    public async Task AnOutcomeIsPassedOn()
    {
        var ok = new DeliveryOutcome(7, DeliveryOutcomeStatus.Ok, "Delivered");
        Assert.Equal(ok, await DeliveryGuard.RunAsync(7, () => Task.FromResult(ok)));
    }

    [Fact]
    public async Task AnExceptionThrownBeforeTheFirstAwaitIsATemporaryFailure()
    {
        var outcome = await DeliveryGuard.RunAsync(0xabc, () => throw new IOException("open /var/mail/x: No such file or directory"));
        Assert.Equal((0xabcUL, DeliveryOutcomeStatus.TempFail), (outcome.EvpId, outcome.Status));
    }

    [Fact]
    public async Task AnExceptionThrownLaterIsATemporaryFailure()
    {
        var outcome = await DeliveryGuard.RunAsync(0xdef, async () =>
        {
            await Task.Yield();
            throw new InvalidOperationException("broken");
        });
        Assert.Equal((0xdefUL, DeliveryOutcomeStatus.TempFail), (outcome.EvpId, outcome.Status));
        Assert.NotEmpty(outcome.ErrorLine);
    }
}
