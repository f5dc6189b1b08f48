// The privilege-separation users (smtpd-defines.h SMTPD_USER, SMTPD_QUEUE_USER).
namespace Smtpd.Runtime;

internal static class SmtpdUsers
{
    public const string Smtpd = "_smtpd";
    public const string Queue = "_smtpq";
}
