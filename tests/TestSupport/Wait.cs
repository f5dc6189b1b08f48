// Waiting for a condition with a deadline, instead of sleeping for a guessed time.
namespace Smtpd.Tests.TestSupport;

internal static class Wait
{
    public static readonly TimeSpan Default = TimeSpan.FromSeconds(20);

    public static void Until(Func<bool> condition, string what, TimeSpan? timeout = null) => Until(condition, () => what, timeout);

    /// <summary>As above, with the description made at the timeout (a log read then, not when the wait began).</summary>
    public static void Until(Func<bool> condition, Func<string> what, TimeSpan? timeout = null)
    {
        var deadline = DateTime.UtcNow + (timeout ?? Default);
        while (!condition())
        {
            if (DateTime.UtcNow > deadline)
            {
                throw new TimeoutException("timed out waiting until " + what());
            }

            Thread.Sleep(20);
        }
    }
}
