// The sysexits(3) codes a delivery program may end with, in the words the delivery log puts
// before the error ("Error (temporary failure: ...)"); other codes have no words.
// Behaviour reference: usr.sbin/smtpd/mda.c (mda_sysexit_to_str).
namespace Smtpd.Mda;

internal static class SysExits
{
    public const int NoUser = 67;
    public const int NoPerm = 77;

    public static string? Describe(int status) => status switch
    {
        64 => "command line usage error",
        65 => "data format error",
        66 => "cannot open input",
        NoUser => "user unknown",
        68 => "host name unknown",
        69 => "service unavailable",
        70 => "internal software error",
        71 => "system resource problem",
        72 => "critical OS file missing",
        73 => "can't create user output file",
        74 => "input/output error",
        75 => "temporary failure",
        76 => "remote error in protocol",
        NoPerm => "permission denied",
        78 => "local configuration error",
        _ => null,
    };
}
