// smtpd's command line: OpenSMTPD's getopt string "B:dD:hnP:f:FT:vx:" plus long options for the
// paths an unprivileged instance needs (--queue-dir, --socket, --enqueue-socket, --empty-dir).
// Behaviour reference: usr.sbin/smtpd/smtpd.c main().
namespace Smtpd.Runtime;

internal sealed class SmtpdOptions
{
    public const string DefaultConfig = "/etc/smtpd.conf";
    public const string DefaultQueueDir = "/var/spool/smtpd";
    public const string DefaultEmptyDir = "/var/empty";
    public const string DefaultSocket = "/var/run/smtpd.sock";

    public bool Debug { get; private set; }

    public bool Foreground { get; private set; }

    public bool Help { get; private set; }

    public bool NoAction { get; private set; }

    public int Verbose { get; private set; }

    public string ConfigFile { get; private set; } = DefaultConfig;

    public bool ConfigFileGiven { get; private set; }

    public Dictionary<string, string> Macros { get; } = new(StringComparer.Ordinal);

    public HashSet<string> Paused { get; } = new(StringComparer.Ordinal);

    public TraceFlags Trace { get; private set; }

    public string? Role { get; private set; }

    public string QueueDir { get; private set; } = DefaultQueueDir;

    /// <summary>The queue's storage (-B queue=): "fs", the spool on disk, or "ram", in the queue process's memory.</summary>
    public string QueueBackend { get; private set; } = "fs";

    public string EmptyDir { get; private set; } = DefaultEmptyDir;

    public string ControlSocket { get; private set; } = DefaultSocket;

    /// <summary>The local enqueue socket (sendmail's SMTP socket): given, or beside the control socket.</summary>
    public string EnqueueSocket => _enqueueSocket ?? EnqueueSocketBeside(ControlSocket);

    private string? _enqueueSocket;

    /// <summary>"/var/run/smtpd.sock" gives "/var/run/smtpd-enqueue.sock": the enqueue socket's default place.</summary>
    public static string EnqueueSocketBeside(string controlSocket) =>
        Path.Combine(Path.GetDirectoryName(controlSocket) ?? "/", Path.GetFileNameWithoutExtension(controlSocket) + "-enqueue.sock");

    /// <summary>Warnings to log once logging is set up (bad -T, -D or -B values), as OpenSMTPD does.</summary>
    public List<string> Warnings { get; } = [];

    /// <summary>The arguments as given, so roles can be re-executed with the same ones.</summary>
    public IReadOnlyList<string> Original { get; private set; } = [];

    /// <summary>Parses argv (without argv[0]); returns an error text for a usage error.</summary>
    public static SmtpdOptions Parse(IReadOnlyList<string> args, out string? error)
    {
        var o = new SmtpdOptions { Original = args };
        error = null;
        var options = new Getopt(args, "BDfPTx");
        while (true)
        {
            var step = options.Next(out char c, out string? value);
            if (step == GetoptStep.End)
            {
                break;
            }

            if (step == GetoptStep.LongOption)
            {
                int i = options.Index;
                if (!o.ParseLong(args, ref i, out error))
                {
                    return o;
                }

                options.Index = i;
                continue;
            }

            if (step == GetoptStep.MissingValue)
            {
                error = $"option requires an argument -- '{c}'";
                return o;
            }

            if (value is not null)
            {
                o.ApplyValue(c, value);
            }
            else if (!o.ApplyFlag(c))
            {
                error = $"invalid option -- '{c}'";
                return o;
            }
        }

        if (options.Index < args.Count)
        {
            error = $"unexpected argument \"{args[options.Index]}\"";
        }

        return o;
    }

    private bool ApplyFlag(char c)
    {
        switch (c)
        {
            case 'd':
                Debug = true;
                Foreground = true;
                break;
            case 'F':
                Foreground = true;
                break;
            case 'h':
                Help = true;
                break;
            case 'n':
                NoAction = true;
                break;
            case 'v':
                Verbose++;
                break;
            default:
                return false;
        }

        return true;
    }

    private bool ParseLong(IReadOnlyList<string> args, ref int i, out string? error)
    {
        error = null;
        string a = args[i];
        string name = a;
        string? value = null;
        int eq = a.IndexOf('=', StringComparison.Ordinal);
        if (eq > 0)
        {
            name = a[..eq];
            value = a[(eq + 1)..];
        }

        if (name is not ("--queue-dir" or "--socket" or "--enqueue-socket" or "--empty-dir"))
        {
            error = $"unrecognized option '{name}'";
            return false;
        }

        if (value is null)
        {
            if (i + 1 >= args.Count)
            {
                error = $"option '{name}' requires an argument";
                return false;
            }

            value = args[++i];
        }

        i++;
        string full = Path.GetFullPath(value);
        switch (name)
        {
            case "--queue-dir":
                QueueDir = full;
                break;
            case "--socket":
                ControlSocket = full;
                break;
            case "--enqueue-socket":
                _enqueueSocket = full;
                break;
            default:
                EmptyDir = full;
                break;
        }

        return true;
    }

    private void ApplyValue(char option, string value)
    {
        switch (option)
        {
            case 'f':
                ConfigFile = value;
                ConfigFileGiven = true;
                break;
            case 'x':
                Role = value;
                break;
            case 'D':
                int eq = value.IndexOf('=', StringComparison.Ordinal);
                if (eq <= 0)
                {
                    Warnings.Add($"warn: could not parse macro definition {value}");
                }
                else
                {
                    Macros[value[..eq]] = value[(eq + 1)..];
                }

                break;
            case 'P':
                if (value is "smtp" or "mta" or "mda")
                {
                    Paused.Add(value);
                }

                break;
            case 'T':
                var flag = TraceFlagsParser.Parse(value);
                if (flag is null)
                {
                    Warnings.Add($"warn: unknown trace flag \"{value}\"");
                }
                else
                {
                    Trace |= flag.Value;
                }

                break;
            default:
                ApplyBackend(value);
                break;
        }
    }

    /// <summary>
    /// -B queue=|scheduler=|stat=. The queue has the fs and ram backends (OpenSMTPD's external proc
    /// backend is not there: such a name keeps the spool on disk, with a warning); the scheduler
    /// and stat backends are built in.
    /// </summary>
    private void ApplyBackend(string value)
    {
        if (value.StartsWith("queue=", StringComparison.Ordinal))
        {
            string name = value["queue=".Length..];
            if (name is "fs" or "ram")
            {
                QueueBackend = name;
            }
            else
            {
                Warnings.Add($"warn: queue backend \"{name}\" is not supported, using \"fs\"");
            }
        }
        else if (!(value.StartsWith("scheduler=", StringComparison.Ordinal) || value.StartsWith("stat=", StringComparison.Ordinal)))
        {
            Warnings.Add($"warn: invalid backend specifier {value}");
        }
    }
}
