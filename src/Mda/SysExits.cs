// The sysexits(3) codes: the ones delivery programs, helpers and sendmail end with, and the
// words the delivery log puts before an error ("Error (temporary failure: ...)").
// Behaviour reference: usr.sbin/smtpd/mda.c (mda_sysexit_to_str).
namespace Smtpd.Mda;

internal static class SysExits
{
    public const int NoUser = 67;
    public const int NoHost = 68;
    public const int Unavailable = 69;
    public const int Software = 70;
    public const int OsErr = 71;
    public const int TempFail = 75;
    public const int NoPerm = 77;

    public static string? Describe(int status) => status switch
    {
        64 => "command line usage error",
        65 => "data format error",
        66 => "cannot open input",
        NoUser => "user unknown",
        NoHost => "host name unknown",
        Unavailable => "service unavailable",
        Software => "internal software error",
        OsErr => "system resource problem",
        72 => "critical OS file missing",
        73 => "can't create user output file",
        74 => "input/output error",
        TempFail => "temporary failure",
        76 => "remote error in protocol",
        NoPerm => "permission denied",
        78 => "local configuration error",
        _ => null,
    };
}
