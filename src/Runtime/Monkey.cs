// Monkey mode, the OpenSMTPD developers' own chaos idea: with SMTPD_MONKEY set in the daemon's
// environment ("P[:SEED[:MS]]", e.g. "0.2:7:20"), every role injects temporary failures with
// probability P at the places where real ones happen (a new message or a commit in the queue,
// a recipient lookup in the lka, a delivery attempt) and up to MS milliseconds of latency
// before it handles each IPC message. Each role says so in a warning at start: a daemon in monkey
// mode answers 4xx at random and must never run in production. What it proves (the
// MonkeyModeTests): clients see 4xx and retry, nothing is lost, and no 5xx appears that a
// monkey-free daemon would not give.
namespace Smtpd.Runtime;

internal static class Monkey
{
    // The switch, read once: the dice (null when off), the failure probability and the latency.
    private static readonly (Random? Dice, double Probability, int MaxLatencyMs) Settings = ParseSettings(Environment.GetEnvironmentVariable("SMTPD_MONKEY"));

    private static Random? Dice => Settings.Dice;

    private static double Probability => Settings.Probability;

    private static int MaxLatencyMs => Settings.MaxLatencyMs;

    private static (Random?, double, int) ParseSettings(string? spec)
    {
        var dice = Parse(spec, out double probability, out int latencyMs);
        return (dice, probability, latencyMs);
    }

    public static bool Enabled => Dice is not null;

    /// <summary>Logs, loudly, that this process plays monkey (once per role, at start).</summary>
    public static void Announce(ProcRole role)
    {
        if (Enabled)
        {
            Log.Warn($"warn: MONKEY MODE ({role}): temporary failures injected with probability {Probability:0.###}, IPC latency up to {MaxLatencyMs} ms (SMTPD_MONKEY); never run this in production");
        }
    }

    /// <summary>Whether to fail the operation named by <paramref name="where"/> now, temporarily.</summary>
    public static bool Fails(string where)
    {
        if (Dice is null)
        {
            return false;
        }

        bool fail;
        lock (Dice)
        {
            fail = Dice.NextDouble() < Probability;
        }

        if (fail)
        {
            Log.Info($"info: monkey: temporary failure injected at {where}");
        }

        return fail;
    }

    /// <summary>Latency before an IPC message is handled.</summary>
    public static void Delay()
    {
        if (Dice is null || MaxLatencyMs <= 0)
        {
            return;
        }

        int ms;
        lock (Dice)
        {
            ms = Dice.Next(MaxLatencyMs + 1);
        }

        Thread.Sleep(ms);
    }

    private static Random? Parse(string? spec, out double probability, out int latencyMs)
    {
        probability = 0;
        latencyMs = 0;
        if (string.IsNullOrEmpty(spec))
        {
            return null;
        }

        var inv = System.Globalization.CultureInfo.InvariantCulture;
        string[] parts = spec.Split(':');
        if (!double.TryParse(parts[0], System.Globalization.NumberStyles.Float, inv, out probability) || probability is < 0 or > 1)
        {
            return null;
        }

        int seed = parts.Length > 1 && int.TryParse(parts[1], inv, out int s) ? s : Environment.ProcessId;
        latencyMs = parts.Length > 2 && int.TryParse(parts[2], inv, out int ms) && ms >= 0 ? Math.Min(ms, 1000) : 0;
        return new Random(seed ^ Environment.ProcessId);
    }
}
