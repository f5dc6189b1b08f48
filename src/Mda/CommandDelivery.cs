// `mda "command"`: the message on the command's standard input, run by /bin/sh as the user;
// exit 0 delivered, EX_TEMPFAIL (75) or EX_OSERR (71) temporary, anything else permanent.
// Behaviour reference: usr.sbin/smtpd/mda_unpriv.c, smtpd.conf(5) "mda".
using Smtpd.Interop;
using Smtpd.Ipc.Messages;

namespace Smtpd.Mda;

internal static class CommandDelivery
{
    public static MdaResult Run(string command, MdaJob job, MdaVariableContext variables, SafeFd stdin)
    {
        var env = MdaEnvironment.Build(variables, job.Home, job.Subaddress);
        using var devnull = Posix.Open("/dev/null", Libc.O_WRONLY);
        int pid = Posix.Spawn("/bin/sh", ["sh", "-c", command], env, [(stdin, 0), (devnull, 1), (devnull, 2)]);
        var status = new WaitStatus(Posix.WaitPid(pid));
        if (status.Signaled)
        {
            return MdaResult.TempFail($"command terminated by signal {status.TermSignal}");
        }

        return status.ExitCode switch
        {
            0 => MdaResult.Ok,
            MdaResult.ExitTempFail or MdaResult.ExitOsErr => MdaResult.TempFail($"command exited with status {status.ExitCode}"),
            _ => MdaResult.PermFail($"command exited with status {status.ExitCode}"),
        };
    }
}
