// sendmail's command line as OpenSMTPD's enqueue.c reads it (getopt "A:B:b:E::e:F:f:iJ::L:mN:o:p:qr:R:StvV:x"),
// with GNU getopt's habit of taking options after operands too ("sendmail user -f me"), and the
// few flags we honour beyond it, as Postfix does: -bp lists the queue, -bs speaks SMTP on
// standard input and output, -i and -oi keep a lone dot from ending
// the input. Everything else OpenSMTPD ignores is accepted and ignored, so callers written for
// Sendmail or Postfix (cron, mutt, mailx, git send-email) work unchanged.
// Behaviour reference: usr.sbin/smtpd/enqueue.c enqueue(), smtpctl.c sendmail_compat().
namespace Smtpd.Enqueue;

internal sealed class SendmailOptions
{
    public enum RunMode
    {
        Send,
        Newaliases,
        ListQueue,
        ProcessQueue,
        SmtpOnStdio,
        Usage,
    }

    public RunMode Mode { get; private set; } = RunMode.Send;

    /// <summary>-f or -r: the envelope sender, as given (may be "&lt;&gt;").</summary>
    public string? Sender { get; private set; }

    /// <summary>-F: the full name for a From header we add.</summary>
    public string? FullName { get; private set; }

    /// <summary>-t: recipients also come from the To, Cc and Bcc headers.</summary>
    public bool RecipientsFromHeaders { get; private set; }

    /// <summary>-i or -oi: a line with a lone dot is data, not the end of the message.</summary>
    public bool IgnoreDots { get; private set; }

    public bool Verbose { get; private set; }

    /// <summary>-S: the user is the real uid's, never the login name (offline replays).</summary>
    public bool NoGetLogin { get; private set; }

    public string? DsnNotify { get; private set; }

    public string? DsnRet { get; private set; }

    public string? DsnEnvId { get; private set; }

    /// <summary>The operands: recipient addresses (each may hold several, comma separated).</summary>
    public List<string> Recipients { get; } = [];

    /// <summary>Options that take a value: attached ("-fme") or the next argument ("-f me").</summary>
    private const string WithValue = "ABbeFfLNopRrV";

    /// <summary>Options whose value is optional and only ever attached.</summary>
    private const string WithOptionalValue = "EJ";

    private const string Flags = "imqStvx";

    public static SendmailOptions Parse(IReadOnlyList<string> args)
    {
        var o = new SendmailOptions();

        // As smtpctl.c, before any option is read: an argument starting with -bi rebuilds the aliases.
        if (args.Any(a => a.StartsWith("-bi", StringComparison.Ordinal)))
        {
            o.Mode = RunMode.Newaliases;
            return o;
        }

        // Parsing stops at a mode other than sending: enqueue.c returns at -q before getopt looks
        // further ("-q1h" too), and -bp lists the queue whatever follows.
        for (int i = 0; i < args.Count && o.Mode == RunMode.Send; i++)
        {
            string a = args[i];
            if (a == "--")
            {
                o.Recipients.AddRange(args.Skip(i + 1));
                break;
            }

            if (a.Length < 2 || a[0] != '-')
            {
                o.Recipients.Add(a);
                continue;
            }

            for (int j = 1; j < a.Length && o.Mode == RunMode.Send; j++)
            {
                char c = a[j];
                if (WithValue.Contains(c, StringComparison.Ordinal))
                {
                    string? value = j + 1 < a.Length ? a[(j + 1)..] : (i + 1 < args.Count ? args[++i] : null);
                    if (value is null)
                    {
                        o.Mode = RunMode.Usage;
                        return o;
                    }

                    o.Apply(c, value);
                    break;
                }

                if (WithOptionalValue.Contains(c, StringComparison.Ordinal))
                {
                    // -J is in OpenSMTPD's option string but not in its switch: a usage error there too.
                    if (c == 'J')
                    {
                        o.Mode = RunMode.Usage;
                        return o;
                    }

                    break;
                }

                if (!Flags.Contains(c, StringComparison.Ordinal))
                {
                    o.Mode = RunMode.Usage;
                    return o;
                }

                o.Apply(c, null);
            }
        }

        return o;
    }

    private void Apply(char option, string? value)
    {
        switch (option)
        {
            case 'f':
            case 'r':
                Sender = value;
                break;
            case 'F':
                FullName = value;
                break;
            case 'N':
                DsnNotify = value;
                break;
            case 'R':
                DsnRet = value;
                break;
            case 'V':
                DsnEnvId = value;
                break;
            case 't':
                RecipientsFromHeaders = true;
                break;
            case 'v':
                Verbose = true;
                break;
            case 'S':
                NoGetLogin = true;
                break;
            case 'i':
                IgnoreDots = true;
                break;
            case 'o' when value == "i":
                IgnoreDots = true;
                break;
            case 'b' when value == "p":
                Mode = Mode == RunMode.Send ? RunMode.ListQueue : Mode;
                break;
            case 'b' when value == "s":
                Mode = Mode == RunMode.Send ? RunMode.SmtpOnStdio : Mode;
                break;
            case 'q':
                Mode = Mode == RunMode.Send ? RunMode.ProcessQueue : Mode;
                break;
            default:
                // -A -B -b -E -e -L -m -o -p -x: accepted for compatibility, no effect.
                break;
        }
    }
}
