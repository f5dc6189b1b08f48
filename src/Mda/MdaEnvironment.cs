// The environment an "mda" command runs with, the same variables OpenSMTPD sets "similar to other
// MTAs" (procmail, maildrop and sieve filters read them), and nothing inherited from the daemon.
// Behaviour reference: usr.sbin/smtpd/mda_unpriv.c
namespace Smtpd.Mda;

internal static class MdaEnvironment
{
    /// <summary>glibc's _PATH_DEFPATH.</summary>
    public const string DefaultPath = "/usr/bin:/bin";

    /// <summary>
    /// "NAME=value" entries in OpenSMTPD's order. <paramref name="home"/> is the delivery user's home;
    /// <paramref name="subaddress"/> (the recipient's +tag) adds EXTENSION when present.
    /// </summary>
    public static IReadOnlyList<string> Build(MdaVariableContext ctx, string home, string? subaddress)
    {
        ArgumentNullException.ThrowIfNull(ctx);
        var env = new List<string>(11)
        {
            "PATH=" + DefaultPath,
            "DOMAIN=" + ctx.RcptDomain,
            "HOME=" + home,
            "ORIGINAL_RECIPIENT=" + ctx.RcptUser + "@" + ctx.RcptDomain,
            "RECIPIENT=" + ctx.DestUser + "@" + ctx.DestDomain,
            "SHELL=/bin/sh",
            "LOCAL=" + ctx.RcptUser,
            "LOGNAME=" + ctx.UserName,
            "USER=" + ctx.UserName,
            "SENDER=" + (ctx.SenderUser.Length > 0 ? ctx.SenderUser + "@" + ctx.SenderDomain : ""),
        };
        if (!string.IsNullOrEmpty(subaddress))
        {
            env.Add("EXTENSION=" + subaddress);
        }

        return env;
    }
}
