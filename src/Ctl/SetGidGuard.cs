// The installed smtpctl is a setgid (_smtpq) copy of the whole multi-call binary, so whoever runs
// it under any name (a link called smtpd, makemap...) would start with the queue group. The group
// is for one thing only: sendmail leaving a message in the spool's offline directory while the
// daemon is down (src/Enqueue/Sendmail.cs keeps it set aside for that). Every other program gives
// it up for good before doing anything, as smtpctl.c does, and while the process is setgid none of
// the SMTPD_* variables the test suite and private instances use to redirect sockets and
// directories is believed: they are removed before anything can read them.
using Smtpd.Interop;

namespace Smtpd.Ctl;

internal static class SetGidGuard
{
    private const string HookPrefix = "SMTPD_";

    /// <summary>The program names that keep the group (as a saved group) for the offline spool.</summary>
    public static bool KeepsGroup(string program) => program is "sendmail" or "send-mail";

    /// <summary>Called first thing by <see cref="Program"/> with the name the binary runs as.</summary>
    public static void Apply(string program)
    {
        uint rgid = Posix.GetGid();
        if (Posix.GetEGid() == rgid && Posix.GetResGid().Saved == rgid)
        {
            return;
        }

        foreach (string name in Environment.GetEnvironmentVariables().Keys.Cast<string>().Where(n => n.StartsWith(HookPrefix, StringComparison.Ordinal)).ToList())
        {
            Environment.SetEnvironmentVariable(name, null);
        }

        if (!KeepsGroup(program))
        {
            // Real, effective and saved: nothing left to take back.
            Posix.SetResGid(rgid, rgid, rgid);
        }
    }
}
