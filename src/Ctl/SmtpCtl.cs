// smtpctl: a table of command patterns (OpenSMTPD's cmd_install), matched on unambiguous
// prefixes ("sh st" is "show status"), each sending one request on the control socket.
// Behaviour reference: usr.sbin/smtpd/smtpctl.c, parser.c.
namespace Smtpd.Ctl;

internal static class SmtpCtl
{
    private static readonly (string Pattern, bool Privileged, Func<CtlClient, int> Run)[] Commands =
    [
        ("log brief", true, c => c.SetVerbose(0)),
        ("log verbose", true, c => c.SetVerbose(1)),
        ("show status", true, c => c.ShowStatus()),
    ];

    public static int Run(IReadOnlyList<string> args)
    {
        if (args.Count == 0)
        {
            Console.Error.WriteLine("usage: smtpctl command [argument ...]");
            return 1;
        }

        var matches = Commands.Where(c => Matches(c.Pattern, args)).ToList();
        if (matches.Count != 1)
        {
            Console.Error.WriteLine(matches.Count == 0 ? "invalid command" : "ambiguous command");
            Console.Error.WriteLine("possibilities are:");
            foreach (var c in matches.Count == 0 ? Commands.ToList() : matches)
            {
                Console.Error.WriteLine(c.Pattern);
            }

            return 1;
        }

        var command = matches[0];
        using var client = CtlClient.Connect();
        if (client is null)
        {
            Console.Error.WriteLine("smtpctl: smtpd doesn't seem to be running");
            return 1;
        }

        if (command.Privileged && !client.MayAdminister)
        {
            Console.Error.WriteLine("smtpctl: need root privileges");
            return 1;
        }

        return command.Run(client);
    }

    private static bool Matches(string pattern, IReadOnlyList<string> args)
    {
        string[] words = pattern.Split(' ');
        if (words.Length != args.Count)
        {
            return false;
        }

        for (int i = 0; i < words.Length; i++)
        {
            if (args[i].Length == 0 || !words[i].StartsWith(args[i], StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }
}
