// smtpctl spf walk: OpenSMTPD reads domain names on standard input and prints the networks their
// SPF records allow. It needs DNS lookups from smtpctl, which this build does not make yet: the
// command says so and fails instead of printing nothing.
// Behaviour reference: usr.sbin/smtpd/spfwalk.c.
namespace Smtpd.Ctl;

internal static class SpfWalk
{
    public static int Run(TextReader input, TextWriter output, TextWriter errors)
    {
        _ = input;
        _ = output;
        errors.WriteLine("smtpctl: spf walk: not supported by this smtpd yet (no DNS lookups from smtpctl)");
        return 1;
    }
}
