// Counters for `smtpctl show stats` and `monitor` (stat_backend.c): every role reports how a
// named counter moved, and the control role adds them up. Before setup, and in processes with
// no control peer (tools, tests), updates go nowhere.
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;

namespace Smtpd.Runtime;

internal static class Stat
{
    private static ImsgChannel? s_control;
    private static Action<string, long>? s_local;

    /// <summary>Where updates go: the channel to control (every role but control).</summary>
    public static void Attach(ImsgChannel? control) => s_control = control;

    /// <summary>Control's own counters are added where they are kept.</summary>
    public static void AttachLocal(Action<string, long> update) => s_local = update;

    public static void Increment(string key, long n = 1) => Update(key, n);

    public static void Decrement(string key, long n = 1) => Update(key, -n);

    private static void Update(string key, long delta)
    {
        if (delta == 0)
        {
            return;
        }

        if (s_local is { } local)
        {
            local(key, delta);
            return;
        }

        s_control?.Post(new StatUpdate(key, delta));
    }
}
