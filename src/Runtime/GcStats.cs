// Garbage-collector figures for the benchmark (issue 4 asks for collections and bytes allocated
// per message): with SMTPD_GC_STATS set in the environment, each process logs them as it exits.
namespace Smtpd.Runtime;

internal static class GcStats
{
    private static readonly bool Enabled = Environment.GetEnvironmentVariable("SMTPD_GC_STATS") is { Length: > 0 };

    public static void LogAtExit(string process)
    {
        if (Enabled)
        {
            Log.Info($"gc-stats: {process}: collections {GC.CollectionCount(0)}/{GC.CollectionCount(1)}/{GC.CollectionCount(2)} allocated {GC.GetTotalAllocatedBytes()} bytes");
        }
    }
}
