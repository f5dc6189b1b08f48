// Facts that need OpenSMTPD's own makemap, named by $OPENSMTPD_MAKEMAP (for Debian's 6.8 package:
// dpkg -x the .deb, copy usr/sbin/smtpctl to a file named makemap, setgid opensmtpq). Skipped without.
namespace Smtpd.Tests.Ctl;

internal sealed class OpenSmtpdMakemapFactAttribute : FactAttribute
{
    public OpenSmtpdMakemapFactAttribute()
    {
        if (Path is null)
        {
            Skip = "OPENSMTPD_MAKEMAP does not name OpenSMTPD's makemap";
        }
    }

    public static string? Path =>
        Environment.GetEnvironmentVariable("OPENSMTPD_MAKEMAP") is { Length: > 0 } p && File.Exists(p) ? p : null;
}
