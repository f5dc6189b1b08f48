// Logging as OpenSMTPD does it (log.c): syslog with facility mail and ident "smtpd", or plain
// lines on stderr with -d. Debug lines appear only with -v. Fatal lines name the process.
using System.Diagnostics.CodeAnalysis;
using Smtpd.Interop;

namespace Smtpd.Runtime;

internal static class Log
{
    private static readonly object s_lock = new();
    private static bool s_stderr = true;
    private static readonly SafeFd StandardError = new(2, ownsHandle: false);
    private static int s_verbose;
    private static string s_procName = "smtpd";
    private static TraceFlags s_trace;

    public static int Verbose => s_verbose;

    /// <summary>Chooses stderr (-d, or before the daemon detaches) or syslog.</summary>
    public static void Init(bool toStderr, int verbose)
    {
        s_stderr = toStderr;
        s_verbose = verbose;
        if (!toStderr)
        {
            Posix.OpenLog("smtpd", Libc.LOG_MAIL);
        }
    }

    public static void SetVerbose(int level) => s_verbose = level;

    /// <summary>The -T subsystems whose trace lines are logged.</summary>
    public static void SetTrace(TraceFlags flags) => s_trace = flags;

    public static bool Tracing(TraceFlags flag) => (s_trace & flag) != 0;

    /// <summary>A -T line (log_trace): logged at debug priority, whatever the verbosity.</summary>
    public static void Trace(TraceFlags flag, string message)
    {
        if ((s_trace & flag) != 0)
        {
            Write(Libc.LOG_DEBUG, message);
        }
    }

    /// <summary>The name fatal lines start with: "parent", "queue", ...</summary>
    public static void SetProcName(string name) => s_procName = name;

    public static void Info(string message) => Write(Libc.LOG_INFO, message);

    /// <summary>An error that does not stop the process (log_warnx).</summary>
    public static void Warn(string message) => Write(Libc.LOG_ERR, message);

    public static void Debug(string message)
    {
        if (s_verbose > 0)
        {
            Write(Libc.LOG_DEBUG, message);
        }
    }

    /// <summary>A broken invariant: log "procname: message" and exit 1 (fatalx).</summary>
    [DoesNotReturn]
    public static void FatalX(string message)
    {
        Write(Libc.LOG_CRIT, s_procName + ": " + message);
        Environment.Exit(1);
        throw new InvalidOperationException("unreachable");
    }

    private static void Write(int priority, string message)
    {
        if (s_stderr)
        {
            // Straight to fd 2: Console would start the runtime's terminal and signal thread
            // in every process just to print a line.
            int length = System.Text.Encoding.UTF8.GetByteCount(message) + 1;
            byte[] line = System.Buffers.ArrayPool<byte>.Shared.Rent(length);
            System.Text.Encoding.UTF8.GetBytes(message, line);
            line[length - 1] = (byte)'\n';
            lock (s_lock)
            {
                _ = Posix.TryWriteAll(StandardError, line.AsSpan(0, length));
            }

            System.Buffers.ArrayPool<byte>.Shared.Return(line);
        }
        else
        {
            Posix.Syslog(priority, message);
        }
    }
}
