// Entry point: chooses a program by the name the binary was called as (like mailwrapper), and
// nothing else (shared/DESIGN.md section 11). `smtpd -x ROLE` is handled by the smtpd program.
namespace Smtpd;

internal static class Program
{
    private static int Main(string[] args)
    {
        string argv0 = Environment.GetCommandLineArgs() is [var first, ..] ? first : "smtpd";
        string name = ProgramName(argv0);

        // Before anything else: a setgid start keeps its group only where it is needed.
        Ctl.SetGidGuard.Apply(name);
        return name switch
        {
            "smtpd" => Parent.SmtpdCommand.Run(args),
            "smtpctl" => Ctl.SmtpCtl.Run(args),
            "makemap" => Ctl.MakeMap.Run(args, newaliases: false),
            "newaliases" => Ctl.MakeMap.Run(args, newaliases: true),
            "sendmail" or "send-mail" => Enqueue.Sendmail.Run(name, args),
            "mailq" => Ctl.SmtpCtl.Run(["show", "queue"], name),
            "smtp" => Smtpc.Smtpc.Run(name, args),
            _ => UnknownName(name),
        };
    }

    /// <summary>The program a path names. The RPM's alternatives install every program a second
    /// time as NAME.smtpd (sendmail.smtpd, mailq.smtpd, newaliases.smtpd, makemap.smtpd), so that
    /// suffix names the same program.</summary>
    internal static string ProgramName(string argv0)
    {
        string name = Path.GetFileName(argv0);
        return name.EndsWith(".smtpd", StringComparison.Ordinal) ? name[..^".smtpd".Length] : name;
    }

    private static int UnknownName(string name)
    {
        Console.Error.WriteLine($"{name}: unknown program name; this binary runs as: smtpd, smtpctl, sendmail, send-mail, mailq, makemap, newaliases, smtp");
        Console.Error.WriteLine("usage: smtpd [-dFhnv] [-D macro=value] [-f file] [-P system] [-T trace]");
        Console.Error.WriteLine("       smtpctl command [argument ...]");
        return 1;
    }
}
