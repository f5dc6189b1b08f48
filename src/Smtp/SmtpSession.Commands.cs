// The checks and actions of the commands outside a mail transaction. A check only validates and
// replies on failure, exactly as smtp_check_* does; the action replies and may change state.
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (smtp_check_*, smtp_proceed_helo/ehlo/
// starttls/rset/quit/noop/help/wiz, smtp_send_banner)
using System.Globalization;

namespace Smtpd.Smtp;

internal sealed partial class SmtpSession
{
    internal bool CheckNoParam(string? args)
    {
        if (args is not null)
        {
            Reply("500 " + InvalidArguments + ": command does not accept arguments.");
            return false;
        }

        return true;
    }

    internal bool CheckRset(string? args)
    {
        if (!CheckNoParam(args))
        {
            return false;
        }

        if (Helo.Length == 0)
        {
            return NotAllowed();
        }

        return true;
    }

    internal bool CheckHelo(string? args) => CheckIdentify("HELO", args);

    internal bool CheckEhlo(string? args) => CheckIdentify("EHLO", args);

    internal bool CheckStartTls(string? args)
    {
        if (Helo.Length == 0 || Transaction is not null)
        {
            return NotAllowed();
        }

        if (!Options.StartTls)
        {
            Reply("503 " + InvalidCommand + ": Command not supported");
            return false;
        }

        if (Flags.HasFlag(SmtpSessionFlags.Secure))
        {
            Reply("503 " + InvalidCommand + ": Channel already secured");
            return false;
        }

        if (args is not null)
        {
            Reply("501 " + InvalidArguments + ": No parameters allowed");
            return false;
        }

        return true;
    }

    internal bool CheckAuth(string? args)
    {
        if (Helo.Length == 0 || Transaction is not null)
        {
            return NotAllowed();
        }

        if (Flags.HasFlag(SmtpSessionFlags.Authenticated))
        {
            Reply("503 " + InvalidCommand + ": Already authenticated");
            return false;
        }

        if (!AdvertiseAuth)
        {
            Reply("503 " + InvalidCommand + ": Command not supported");
            return false;
        }

        if (args is null)
        {
            Reply("501 " + InvalidArguments + ": No parameters given");
            return false;
        }

        return true;
    }

    internal ValueTask ProceedHeloAsync(string? args)
    {
        Identify(args!, ehlo: false);
        Reply(Greeting("250 "));
        return ValueTask.CompletedTask;
    }

    internal ValueTask ProceedEhloAsync(string? args)
    {
        Identify(args!, ehlo: true);
        Reply(Greeting("250-"));
        Reply("250-8BITMIME");
        Reply("250-ENHANCEDSTATUSCODES");
        Reply("250-SIZE " + Options.MaxMessageSize.ToString(CultureInfo.InvariantCulture));

        // Our addition: commands are answered in order however they arrive (RFC 2920).
        Reply("250-PIPELINING");
        if (Options.Dsn)
        {
            Reply("250-DSN");
        }

        if (AdvertiseTls)
        {
            Reply("250-STARTTLS");
        }

        if (AdvertiseAuth)
        {
            Reply("250-AUTH PLAIN LOGIN");
        }

        Reply("250 HELP");
        return ValueTask.CompletedTask;
    }

    internal ValueTask ProceedStartTlsAsync()
    {
        Reply("220 " + OkCode + " Ready to start TLS");
        EnterState(SmtpState.Tls);
        return ValueTask.CompletedTask;
    }

    internal async ValueTask ProceedRsetAsync()
    {
        Reply("250 " + OkCode + " Reset state");
        if (Transaction is not null)
        {
            await FreeTransactionAsync(rollback: true);
        }
    }

    internal ValueTask ProceedQuitAsync()
    {
        Reply("221 " + OkCode + " Bye");
        EnterState(SmtpState.Quit);
        return ValueTask.CompletedTask;
    }

    internal ValueTask ProceedNoopAsync()
    {
        Reply("250 " + OkCode + " Ok");
        return ValueTask.CompletedTask;
    }

    internal ValueTask ProceedHelpAsync()
    {
        // OpenSMTPD's reply has this shape but names itself and the OpenBSD bug list; this
        // server is not OpenSMTPD, so it names itself and sends problems to the site's postmaster.
        string code = OkCode;
        Reply("214-" + code + " This is smtpd, a mail transfer agent for Linux written in C#");
        Reply("214-" + code + " To report a problem with this server, write to its postmaster");
        Reply("214-" + code + " with full details");
        Reply("214 " + code + " End of HELP info");
        return ValueTask.CompletedTask;
    }

    internal ValueTask ProceedWizAsync()
    {
        Reply("500 " + InvalidCommand + ": this feature is not supported yet ;-)");
        return ValueTask.CompletedTask;
    }

    private bool CheckIdentify(string verb, string? args)
    {
        if (!_bannerSent)
        {
            return NotAllowed();
        }

        if (Helo.Length != 0)
        {
            Reply("503 " + InvalidCommand + ": Already identified");
            return false;
        }

        if (args is null)
        {
            Reply("501 " + InvalidCommand + ": " + verb + " requires domain name");
            return false;
        }

        if (!MailAddressParser.IsValidDomainPart(args))
        {
            Reply("501 " + InvalidArguments + ": Invalid domain name");
            return false;
        }

        return true;
    }

    private void Identify(string helo, bool ehlo)
    {
        Helo = helo;
        Report("link-identify", ehlo ? "EHLO" : "HELO", helo);
        Flags &= SmtpSessionFlags.Secure | SmtpSessionFlags.Authenticated | SmtpSessionFlags.Verified;
        if (ehlo)
        {
            Flags |= SmtpSessionFlags.Ehlo | SmtpSessionFlags.EightBitMime;
        }

        EnterState(SmtpState.Helo);
    }

    private string Greeting(string prefix) => prefix + ServerName + " Hello " + Helo + " " + BracketedAddress + ", pleased to meet you";

    private bool NotAllowed()
    {
        Reply("503 " + InvalidCommand + ": Command not allowed at this point.");
        return false;
    }
}
