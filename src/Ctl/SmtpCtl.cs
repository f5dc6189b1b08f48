// smtpctl: OpenSMTPD's commands, installed in its order (the order "possibilities are:" lists
// them in), each sending its request on the control socket. Commands for root only answer
// "need root privileges" to other users, as OpenSMTPD's do, once the command line has parsed;
// the owner of the socket of a daemon started without root counts as root for it.
// Behaviour reference: usr.sbin/smtpd/smtpctl.c main(), parser.c.
using Smtpd.Interop;
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;

namespace Smtpd.Ctl;

internal static class SmtpCtl
{
    /// <summary>The name errors start with, as OpenSMTPD's __progname: smtpctl, or mailq.</summary>
    public static string Name { get; private set; } = "smtpctl";

    public static int Run(IReadOnlyList<string> args, string program = "smtpctl")
    {
        Name = program;
        // Installed setgid _smtpq for sendmail's offline queue only: no command needs the group.
        Enqueue.Sendmail.DropSetGid();
        var tree = Build(MayAdminister());
        int code = tree.Run(args, Console.Error);
        Console.Out.Flush();
        return code < 0 ? 255 : code;
    }

    /// <summary>Root, or the owner of the socket (an unprivileged smtpd run by the same user).</summary>
    internal static bool MayAdminister()
    {
        uint euid = Posix.GetEUid();
        return euid == 0 || Posix.TryLStat(CtlClient.SocketPath)?.Uid == euid;
    }

    internal static CommandTree Build(bool privileged)
    {
        var t = new CommandTree();
        void Priv(string pattern, Func<IReadOnlyList<CtlParam>, int> run) =>
            t.Install(pattern, privileged ? run : _ => Fail("need root privileges"));

        Priv("discover <evpid>", p => Connected().Discover(p[0].Id));
        Priv("discover <msgid>", p => Connected().Discover(p[0].Id));
        Priv("pause mta from <addr> for <str>", _ => NotYet("pause mta from"));
        Priv("resume mta from <addr> for <str>", _ => NotYet("resume mta from"));
        Priv("show mta paused", _ => NotYet("show mta paused"));
        Priv("log brief", _ => Connected().Command(new CtlVerbose(0)));
        Priv("log verbose", _ => Connected().Command(new CtlVerbose(1)));
        Priv("monitor", _ => Connected().Monitor());
        Priv("pause envelope <evpid>", p => Connected().Envelopes(CtlEnvelopeAction.Pause, p[0].Id, "paused"));
        Priv("pause envelope <msgid>", p => Connected().Envelopes(CtlEnvelopeAction.Pause, p[0].Id, "paused"));
        Priv("pause envelope all", _ => Connected().Envelopes(CtlEnvelopeAction.Pause, 0, "paused"));
        Priv("pause mda", _ => Connected().Command(ImsgType.CtlPauseMda));
        Priv("pause mta", _ => Connected().Command(ImsgType.CtlPauseMta));
        Priv("pause smtp", _ => Connected().Command(ImsgType.CtlPauseSmtp));
        Priv("profile <str>", p => Connected(Profile(p[0].Text)).Command(ImsgType.CtlProfile, Profile(p[0].Text)!.Value));
        Priv("remove <evpid>", p => Connected().Envelopes(CtlEnvelopeAction.Remove, p[0].Id, "removed"));
        Priv("remove <msgid>", p => Connected().Envelopes(CtlEnvelopeAction.Remove, p[0].Id, "removed"));
        Priv("remove all", _ => Connected().Envelopes(CtlEnvelopeAction.Remove, 0, "removed"));
        Priv("resume envelope <evpid>", p => Connected().Envelopes(CtlEnvelopeAction.Resume, p[0].Id, "resumed"));
        Priv("resume envelope <msgid>", p => Connected().Envelopes(CtlEnvelopeAction.Resume, p[0].Id, "resumed"));
        Priv("resume envelope all", _ => Connected().Envelopes(CtlEnvelopeAction.Resume, 0, "resumed"));
        Priv("resume mda", _ => Connected().Command(ImsgType.CtlResumeMda));
        Priv("resume mta", _ => Connected().Command(ImsgType.CtlResumeMta));
        Priv("resume route <routeid>", p => Connected().Command(new CtlResumeRoute(p[0].Id)));
        Priv("resume smtp", _ => Connected().Command(ImsgType.CtlResumeSmtp));
        Priv("schedule <msgid>", p => Connected().Envelopes(CtlEnvelopeAction.Schedule, p[0].Id, "scheduled"));
        Priv("schedule <evpid>", p => Connected().Envelopes(CtlEnvelopeAction.Schedule, p[0].Id, "scheduled"));
        Priv("schedule all", _ => Connected().Envelopes(CtlEnvelopeAction.Schedule, 0, "scheduled"));
        Priv("show envelope <evpid>", p => SpoolFile.Display(SpoolFile.EnvelopePath(p[0].Id)));
        Priv("show hoststats", _ => Connected().ShowMta(CtlMtaShowKind.HostStats));
        Priv("show message <msgid>", p => SpoolFile.Display(SpoolFile.MessagePath((uint)p[0].Id)));
        Priv("show message <evpid>", p => SpoolFile.Display(SpoolFile.MessagePath((uint)(p[0].Id >> 32))));
        Priv("show queue", _ => ShowQueue());
        Priv("show queue <msgid>", p => ShowQueue(p[0].Id));
        Priv("show hosts", _ => Connected().ShowMta(CtlMtaShowKind.Hosts));
        Priv("show relays", _ => Connected().ShowMta(CtlMtaShowKind.Relays));
        Priv("show routes", _ => Connected().ShowMta(CtlMtaShowKind.Routes));
        Priv("show stats", _ => Connected().ShowStats());
        Priv("show status", _ => Connected().ShowStatus());
        Priv("trace <str>", p => Connected(Trace(p[0].Text)).Command(ImsgType.CtlTrace, Trace(p[0].Text)!.Value));
        Priv("unprofile <str>", p => Connected(Profile(p[0].Text)).Command(ImsgType.CtlUnprofile, Profile(p[0].Text)!.Value));
        Priv("untrace <str>", p => Connected(Trace(p[0].Text)).Command(ImsgType.CtlUntrace, Trace(p[0].Text)!.Value));
        Priv("update table <str>", p => Connected().Command(new CtlUpdateTable(p[0].Text)));

        // Commands for everyone.
        t.Install("encrypt", _ => Encrypt.Run(null, Console.In, Console.Out, Console.Error));
        t.Install("encrypt <str>", p => Encrypt.Run(p[0].Text, Console.In, Console.Out, Console.Error));
        t.Install("spf walk", _ => SpfWalk.Run(Console.In, Console.Out, Console.Error));

        // Beyond OpenSMTPD: a clean stop and a configuration reload over the socket.
        Priv("stop", _ => Connected().Command(ImsgType.CtlStop));
        Priv("reload", _ => Connected().Command(ImsgType.CtlReload));
        return t;
    }

    /// <summary>The daemon's answer to smtpctl (srv_connect), or exit 1 when none is running.</summary>
    private static CtlClient Connected(object? validated = null)
    {
        _ = validated;
        var client = CtlClient.Connect();
        if (client is null)
        {
            Fail("smtpd doesn't seem to be running");
            Environment.Exit(1);
        }

        return client!;
    }

    private static int ShowQueue(ulong msgid = 0)
    {
        using var client = CtlClient.Connect();
        if (client is null)
        {
            // As smtpctl.c: with the daemon down the spool itself is read.
            return SpoolQueueListing.Print(SpoolQueueListing.QueueDir, Console.Out, Console.Error);
        }

        return client.ShowQueue(msgid);
    }

    /// <summary>str_to_trace: OpenSMTPD's subsystem names (and ours); anything else ends smtpctl.</summary>
    private static uint? Trace(string name)
    {
        if (Runtime.TraceFlagsParser.Parse(name) is { } flags && name is not ("profstat" or "profile-imsg" or "profile-queue"))
        {
            return (uint)flags;
        }

        Fail($"invalid trace keyword: {name}");
        Environment.Exit(1);
        return null;
    }

    /// <summary>str_to_profile: imsg or queue.</summary>
    private static uint? Profile(string name)
    {
        switch (name)
        {
            case "imsg":
                return 1;
            case "queue":
                return 2;
            default:
                Fail($"invalid profile keyword: {name}");
                Environment.Exit(1);
                return null;
        }
    }

    private static int NotYet(string command) => Fail($"{command}: not supported by this smtpd yet");

    internal static int Fail(string message)
    {
        Console.Out.Flush();
        Console.Error.WriteLine(Name + ": " + message);
        return 1;
    }
}
