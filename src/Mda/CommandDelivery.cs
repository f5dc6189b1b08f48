// `mda "command"`: /bin/sh runs the command as the user with the message (delivery headers
// first) on a pipe as its standard input, and its standard output and error in an anonymous
// file. Exit 0 is delivered, EX_OSERR (71) and EX_TEMPFAIL (75) are temporary failures, any other
// status or a signal is permanent or temporary as OpenSMTPD's parent judges it. A failure is
// reported with the last line the command printed (quoted, see CommandOutput), or without output
// with how the command ended; the log adds what a sysexits(3) status means.
// Behaviour reference: usr.sbin/smtpd/smtpd.c (forkmda, the SIGCHLD handler), mda.c
// (IMSG_MDA_DONE, mda_io, mda_getlastline), mda_unpriv.c.
using Smtpd.Interop;
using Smtpd.Ipc.Messages;

namespace Smtpd.Mda;

internal static class CommandDelivery
{
    public static readonly TimeSpan Timeout = TimeSpan.FromMinutes(5);

    private const int SigAlrm = 14;

    /// <summary>Runs <paramref name="command"/> for <paramref name="job"/> with <paramref name="message"/> as its input.</summary>
    /// <param name="command">The expanded command line, for /bin/sh -c.</param>
    /// <param name="job">The delivery.</param>
    /// <param name="variables">What the environment is built from.</param>
    /// <param name="message">The message, delivery headers first.</param>
    /// <param name="timeout">How long the command may run (<see cref="Timeout"/> unless a test says otherwise).</param>
    public static MdaResult Run(string command, MdaJob job, MdaVariableContext variables, Stream message, TimeSpan? timeout = null)
    {
        var env = MdaEnvironment.Build(variables, job.Home, job.Subaddress);
        using var output = Posix.AnonymousFile("smtpd.out");
        var (stdin, feed) = Posix.Pipe();
        int pid;
        using (stdin)
        {
            try
            {
                // In a session (and process group) of its own, as forkmda() does: whatever the
                // command starts can be killed with it, and no terminal signal reaches it.
                pid = Posix.Spawn("/bin/sh", ["sh", "-c", command], env, [(stdin, 0), (output, 1), (output, 2)], newSession: true);
            }
            catch
            {
                feed.Dispose();
                throw;
            }
        }

        // OpenSMTPD arms alarm(300) in the child: a command stuck for five minutes dies of SIGALRM.
        // Here the whole process group gets it, so what the command started is not left behind.
        // The shell is not reaped before the timer is stopped, so its group id is still its own.
        using var alarm = new Timer(_ => Posix.Kill(-pid, SigAlrm), null, timeout ?? Timeout, System.Threading.Timeout.InfiniteTimeSpan);
        Fed fed;
        using (feed)
        {
            fed = Feed(message, feed);
        }

        if (fed == Fed.ReadError)
        {
            // The spooled message could not be read: the command must not take half a message for all of it.
            Posix.Kill(-pid, Libc.SIGTERM);
        }

        var status = new WaitStatus(Posix.WaitPid(pid));
        alarm.Change(System.Threading.Timeout.Infinite, System.Threading.Timeout.Infinite);
        if (fed == Fed.ReadError)
        {
            return MdaResult.TempFail("Error reading body");
        }

        return Judge(status, fed == Fed.All, CommandOutput.LastLine(output));
    }

    /// <summary>
    /// The outcome of a command that ended with <paramref name="status"/>, having read all of its
    /// input or not, and printed <paramref name="lastLine"/> (quoted; "" for nothing).
    /// </summary>
    public static MdaResult Judge(WaitStatus status, bool readAll, string lastLine)
    {
        if (status.Success)
        {
            // Exit 0 before taking the whole message may have lost part of it: try again later.
            return readAll ? MdaResult.Ok : MdaResult.TempFail("mda exited prematurely");
        }

        string error = lastLine.Length > 0 ? lastLine
            : status.Signaled && status.TermSignal == SigAlrm ? "terminated; timeout"
            : status.Describe();
        if (status.Signaled)
        {
            return MdaResult.TempFail(error);
        }

        string sysError = SysExits.Describe(status.ExitCode) ?? string.Empty;
        return status.ExitCode is MdaResult.ExitOsErr or MdaResult.ExitTempFail
            ? new MdaResult(MdaResultKind.TempFail, error, sysError)
            : new MdaResult(MdaResultKind.PermFail, error, sysError);
    }

    private enum Fed
    {
        All,
        CommandStoppedReading,
        ReadError,
    }

    // Writes the whole message into the command's pipe. A command that exits (or closes its
    // input) early makes the write fail with EPIPE (the runtime ignores SIGPIPE): that is not an
    // error of ours, the exit status says what happened.
    private static Fed Feed(Stream message, SafeFd pipe)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            int n;
            try
            {
                n = message.Read(buffer);
            }
            catch (IOException)
            {
                return Fed.ReadError;
            }

            if (n == 0)
            {
                return Fed.All;
            }

            if (Posix.TryWriteAll(pipe, buffer.AsSpan(0, n)) != Errno.None)
            {
                return Fed.CommandStoppedReading;
            }
        }
    }
}
