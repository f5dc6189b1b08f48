// sendmail (also send-mail, /usr/lib/sendmail): reads a message on standard input and hands it to
// the daemon over SMTP on the local enqueue socket. The envelope sender is -f/-r, else the From
// header's address, else the user at the mail name; recipients are the operands, plus the To, Cc
// and Bcc addresses with -t. When the daemon is down the message goes to the spool's offline/
// directory and the daemon sends it when it starts (exit 75, EX_TEMPFAIL, as OpenSMTPD does).
// Exit codes are sysexits(3)'s as enqueue.c uses them.
// Behaviour reference: usr.sbin/smtpd/enqueue.c, smtpctl.c sendmail_compat().
using Smtpd.Interop;

namespace Smtpd.Enqueue;

internal static class Sendmail
{
    public const int ExOk = 0;
    public const int ExNoHost = Mda.SysExits.NoHost;
    public const int ExUnavailable = Mda.SysExits.Unavailable;
    public const int ExSoftware = Mda.SysExits.Software;
    public const int ExTempFail = Mda.SysExits.TempFail;

    /// <summary>Set in the environment of the sendmail the daemon runs for an offline message: never spool it offline again.</summary>
    public const string ReplayVariable = "SMTPD_OFFLINE_REPLAY";

    public static int Run(string program, IReadOnlyList<string> args)
    {
        if (Environment.GetEnvironmentVariable(ReplayVariable) is { } owner)
        {
            if (OfflineReplay.Prepare(program, owner, args) is not { } replayed)
            {
                return ExSoftware;
            }

            args = replayed;
        }

        var options = SendmailOptions.Parse(args);
        switch (options.Mode)
        {
            case SendmailOptions.RunMode.Usage:
                DropSetGid();
                Console.Error.WriteLine($"usage: {program} [-tv] [-f from] [-F name] to ...");
                return 1;
            case SendmailOptions.RunMode.Newaliases:
                DropSetGid();
                return Ctl.MakeMap.Run([], newaliases: true);
            case SendmailOptions.RunMode.ListQueue:
                DropSetGid();
                return Ctl.SmtpCtl.Run(["show", "queue"]);
            case SendmailOptions.RunMode.ProcessQueue:
                DropSetGid();
                return ExSoftware;
            case SendmailOptions.RunMode.SmtpOnStdio:
                DropSetGid();
                return SmtpOnStdio.Run(program, EnqueueSocketPath);
        }

        // A setgid smtpctl uses the queue group for one thing: creating the offline file. Until
        // then it is set aside (kept as the saved group only), and it goes for good before
        // anything reads the input. Whether the daemon runs is asked of the control socket, as
        // smtpctl.c's srv_connect() does: a probe on the enqueue socket would be an SMTP session
        // in the log.
        uint realGid = Posix.GetGid();
        uint queueGid = Posix.GetEGid();
        if (queueGid != realGid)
        {
            Posix.SetResGid(realGid, realGid, queueGid);
        }

        string socketPath = EnqueueSocketPath;
        bool online = DaemonRunning();
        OfflineFile? offline = null;
        string? offlineError = null;
        if (!online && Environment.GetEnvironmentVariable(ReplayVariable) is null)
        {
            if (queueGid != realGid)
            {
                Posix.SetResGid(realGid, queueGid, queueGid);
            }

            (offline, offlineError) = OfflineFile.Create(OfflineDirectory(setgid: queueGid != realGid));
        }

        DropSetGid();
        using (offline)
        {
            return Send(program, options, socketPath, online, offline, offlineError, args);
        }
    }

    /// <summary>$SMTPD_ENQUEUE_SOCKET, else the enqueue socket beside $SMTPD_SOCKET or the system control socket.</summary>
    public static string EnqueueSocketPath =>
        Environment.GetEnvironmentVariable("SMTPD_ENQUEUE_SOCKET") is { Length: > 0 } p
            ? p
            : Runtime.SmtpdOptions.EnqueueSocketBeside(Ctl.CtlClient.SocketPath);

    /// <summary>The spool's offline/: $SMTPD_QUEUE_DIR's for a private instance, never when running setgid.</summary>
    private static string OfflineDirectory(bool setgid) =>
        Path.Combine(
            !setgid && Environment.GetEnvironmentVariable("SMTPD_QUEUE_DIR") is { Length: > 0 } q ? q : Runtime.SmtpdOptions.DefaultQueueDir,
            "offline");

    private static int Send(string program, SendmailOptions options, string socketPath, bool online, OfflineFile? offline, string? offlineError, IReadOnlyList<string> args)
    {
        string? host = MailName.Get();
        if (host is null)
        {
            Console.Error.WriteLine($"{program}: getmailname");
            return ExNoHost;
        }

        var pw = Posix.GetPwUid(Posix.GetUid());
        string user = pw?.Name ?? "anonymous";
        string? unbracketed = options.Sender is { } given ? Unbracket(given) : user;
        if (unbracketed is null)
        {
            Console.Error.WriteLine($"{program}: leading < but no trailing >");
            return 1;
        }

        string from = Qualify(unbracketed, host);
        string? fullName = options.FullName ?? (options.Sender is null && pw is not null ? GecosName(pw) : null);

        var message = MessageInput.Read(Console.OpenStandardInput(), options.IgnoreDots);
        if ((options.Sender is null && message.FromSyntaxError) || (options.RecipientsFromHeaders && message.RecipientSyntaxError))
        {
            Console.Error.WriteLine($"{program}: syntax error in address");
            return 1;
        }

        if (options.Sender is null && message.FromAddress is { } headerFrom)
        {
            from = Qualify(headerFrom, host);
        }

        var recipients = new List<string>();
        foreach (string operand in options.Recipients)
        {
            recipients.AddRange(operand.Split(',').Select(r => Qualify(r.Trim(), host)));
        }

        if (options.RecipientsFromHeaders)
        {
            recipients.AddRange(message.HeaderRecipients.Select(r => Qualify(r, host)));
        }

        recipients.RemoveAll(r => r.Length == 0);
        if (recipients.Count == 0)
        {
            Console.Error.WriteLine($"{program}: no recipients");
            return ExSoftware;
        }

        if (!online)
        {
            return Offline(program, offline, offlineError, args, message);
        }

        string date = Smtp.SmtpDate.Format(DateTimeOffset.UtcNow, TimeZoneInfo.Local);
        var lines = OutgoingMessage.Lines(message, from, fullName, date).ToList();
        using var smtp = SmtpSubmission.Connect(socketPath, options.Verbose);
        if (smtp is null)
        {
            Console.Error.WriteLine($"{program}: server too busy");
            return ExUnavailable;
        }

        if (smtp.Send(from, recipients, options, lines))
        {
            return ExOk;
        }

        Console.Error.WriteLine($"{program}: {smtp.Failure}");
        if (pw is not null)
        {
            DeadLetter.Save(pw, lines);
        }

        return ExSoftware;
    }

    private static int Offline(string program, OfflineFile? offline, string? offlineError, IReadOnlyList<string> args, MessageInput message)
    {
        if (offline is null)
        {
            Console.Error.WriteLine(offlineError is null
                ? $"{program}: smtpd is not running; the message was not sent"
                : $"{program}: smtpd is not running and the message cannot be queued offline: {offlineError}");
            return ExTempFail;
        }

        if (args.FirstOrDefault(a => a.Contains('|', StringComparison.Ordinal)) is { } bad)
        {
            Console.Error.WriteLine($"{program}: {bad} contains illegal character");
            return ExSoftware;
        }

        string? error = offline.Write(args, message.Raw);
        if (error is not null)
        {
            Console.Error.WriteLine($"{program}: write error: {error}");
            return ExUnavailable;
        }

        return ExTempFail;
    }

    /// <summary>"&lt;a@b&gt;" gives "a@b", "&lt;&gt;" the null sender; null for a leading bracket without its closing one.</summary>
    private static string? Unbracket(string address) =>
        !address.StartsWith('<') ? address : address.EndsWith('>') && address.Length >= 2 ? address[1..^1] : null;

    /// <summary>An address without a domain gets the mail name (qualify_addr).</summary>
    internal static string Qualify(string address, string host) =>
        address.Length > 0 && !address.Contains('@', StringComparison.Ordinal) ? $"{address}@{host}" : address;

    /// <summary>The GECOS full name: up to the first comma, an "&amp;" standing for the capitalised login name.</summary>
    internal static string GecosName(PasswdEntry pw)
    {
        string name = pw.Gecos.Split(',')[0];
        int amp = name.IndexOf('&', StringComparison.Ordinal);
        if (amp < 0 || pw.Name.Length == 0)
        {
            return name;
        }

        return string.Concat(name.AsSpan(0, amp), char.ToUpperInvariant(pw.Name[0]).ToString(), pw.Name.AsSpan(1), name.AsSpan(amp + 1));
    }

    /// <summary>A setgid smtpctl gives up the queue group for good (real, effective and saved group: the real one), as smtpctl.c does.</summary>
    internal static void DropSetGid() => Posix.SetResGid(Posix.GetGid());

    private static bool DaemonRunning()
    {
        using var probe = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Stream, System.Net.Sockets.ProtocolType.Unspecified);
        try
        {
            probe.Connect(new System.Net.Sockets.UnixDomainSocketEndPoint(Ctl.CtlClient.SocketPath));
            return true;
        }
        catch (System.Net.Sockets.SocketException)
        {
            return false;
        }
    }
}
