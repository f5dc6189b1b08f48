// smtpctl: a table of command patterns (OpenSMTPD's cmd_install), matched on unambiguous
// prefixes ("sh st" is "show status"), each sending one request on the control socket.
// Behaviour reference: usr.sbin/smtpd/smtpctl.c, parser.c.
namespace Smtpd.Ctl;

internal static class SmtpCtl
{
    // "<str>" stands for any one argument, handed to the command in order.
    private static readonly (string Pattern, bool Privileged, Func<CtlClient, IReadOnlyList<string>, int> Run)[] Commands =
    [
        ("log brief", true, (c, _) => c.SetVerbose(0)),
        ("log verbose", true, (c, _) => c.SetVerbose(1)),
        ("show queue", true, (c, _) => c.ShowQueue()),
        ("show status", true, (c, _) => c.ShowStatus()),
        ("update table <str>", true, (c, a) => c.UpdateTable(a[0])),
    ];

    // Commands that need no daemon (OpenSMTPD's unprivileged ones).
    private static readonly (string Pattern, Func<IReadOnlyList<string>, int> Run)[] LocalCommands =
    [
        ("encrypt", _ => Encrypt.Run(null, Console.In, Console.Out, Console.Error)),
        ("encrypt <str>", a => Encrypt.Run(a[0], Console.In, Console.Out, Console.Error)),
    ];

    public static int Run(IReadOnlyList<string> args)
    {
        // Installed setgid _smtpq for sendmail's offline queue only: no command needs the group.
        Enqueue.Sendmail.DropSetGid();
        if (args.Count == 0)
        {
            Console.Error.WriteLine("usage: smtpctl command [argument ...]");
            return 1;
        }

        var matches = Commands.Where(c => Matches(c.Pattern, args)).ToList();
        var local = LocalCommands.Where(c => Matches(c.Pattern, args)).ToList();
        if (matches.Count + local.Count != 1)
        {
            Console.Error.WriteLine(matches.Count + local.Count == 0 ? "invalid command" : "ambiguous command");
            Console.Error.WriteLine("possibilities are:");
            var all = matches.Count + local.Count == 0
                ? Commands.Select(c => c.Pattern).Concat(LocalCommands.Select(c => c.Pattern))
                : matches.Select(c => c.Pattern).Concat(local.Select(c => c.Pattern));
            foreach (var pattern in all.Order(StringComparer.Ordinal))
            {
                Console.Error.WriteLine(pattern);
            }

            return 1;
        }

        if (local.Count == 1)
        {
            return local[0].Run(Arguments(local[0].Pattern, args));
        }

        var command = matches[0];

        using var client = CtlClient.Connect();
        if (client is null && command.Pattern == "show queue")
        {
            // As smtpctl.c: with the daemon down the spool itself is read.
            return SpoolQueueListing.Print(SpoolQueueListing.QueueDir, Console.Out, Console.Error);
        }

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

        return command.Run(client, Arguments(command.Pattern, args));
    }

    private static List<string> Arguments(string pattern, IReadOnlyList<string> args)
    {
        string[] words = pattern.Split(' ');
        return args.Where((_, i) => words[i] == "<str>").ToList();
    }

    internal static bool Matches(string pattern, IReadOnlyList<string> args)
    {
        string[] words = pattern.Split(' ');
        if (words.Length != args.Count)
        {
            return false;
        }

        for (int i = 0; i < words.Length; i++)
        {
            if (args[i].Length == 0 || (words[i] != "<str>" && !words[i].StartsWith(args[i], StringComparison.Ordinal)))
            {
                return false;
            }
        }

        return true;
    }
}
