// openlog/syslog/closelog. Messages always go through a "%s" format so no text is ever
// interpreted as a format string. Tmds.LibC binds no syslog(3).
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static partial class Libc
{
    internal const int LOG_PID = 0x01;
    internal const int LOG_NDELAY = 0x08;
    internal const int LOG_MAIL = 2 << 3;
    internal const int LOG_CRIT = 2;
    internal const int LOG_ERR = 3;
    internal const int LOG_WARNING = 4;
    internal const int LOG_INFO = 6;
    internal const int LOG_DEBUG = 7;

    [LibraryImport(Name, EntryPoint = "openlog")]
    internal static unsafe partial void OpenLog(byte* ident, int option, int facility);

    [LibraryImport(Name, EntryPoint = "syslog")]
    internal static unsafe partial void Syslog(int priority, byte* format, byte* message);
}
