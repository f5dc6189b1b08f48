// syslog(3) access: ident kept alive for the life of the process, as openlog requires.
using System.Runtime.InteropServices;
using System.Text;

namespace Smtpd.Interop;

internal static partial class Posix
{
    private static unsafe byte* s_syslogIdent;

    public static unsafe void OpenLog(string ident, int facility)
    {
        if (s_syslogIdent == null)
        {
            int n = Encoding.UTF8.GetByteCount(ident);
            s_syslogIdent = (byte*)NativeMemory.Alloc((nuint)n + 1);
            Encoding.UTF8.GetBytes(ident, new Span<byte>(s_syslogIdent, n));
            s_syslogIdent[n] = 0;
        }

        // LOG_NDELAY connects to /dev/log now: after chroot the socket is out of reach.
        Libc.OpenLog(s_syslogIdent, Libc.LOG_PID | Libc.LOG_NDELAY, facility);
    }

    public static unsafe void Syslog(int priority, string message)
    {
        int n = Encoding.UTF8.GetByteCount(message);
        byte[] buf = new byte[n + 1];
        Encoding.UTF8.GetBytes(message, buf);
        byte* format = stackalloc byte[3] { (byte)'%', (byte)'s', 0 };
        fixed (byte* m = buf)
        {
            Libc.Syslog(priority, format, m);
        }
    }
}
