// smtp(1)'s command line, OpenSMTPD's getopt "CF:H:S:T:a:hns:v", and its server argument
// [proto://[user:pass@]]host[:port]: smtp, smtp+tls, smtp+notls, lmtp, lmtp+tls, lmtp+notls,
// smtps. Beyond OpenSMTPD, a server that is an absolute path names a UNIX-domain socket
// (a `listen on socket "/path"` listener), spoken to without TLS.
// Behaviour reference: usr.sbin/smtpd/smtpc.c main(), parse_server(), parse_tls_options().
using Smtpd.Runtime;

namespace Smtpd.Smtpc;

internal enum TlsRequirement
{
    /// <summary>No TLS at all (+notls, UNIX sockets).</summary>
    No,

    /// <summary>STARTTLS when the server offers it (smtp, lmtp).</summary>
    Opportunistic,

    /// <summary>STARTTLS or nothing (+tls).</summary>
    Required,

    /// <summary>TLS from the first byte (smtps).</summary>
    Implicit,
}

internal sealed class SmtpcOptions
{
    public string From { get; private set; } = string.Empty;

    public string Helo { get; private set; } = string.Empty;

    public string Server { get; private set; } = "localhost";

    public bool NoAction { get; private set; }

    /// <summary>1 by default, one more per -v (debug lines from 2, the dialogue from 3).</summary>
    public int Verbose { get; private set; } = 1;

    public bool TlsVerify { get; private set; } = true;

    public string? CaFile { get; private set; }

    public string? ServerName { get; private set; }

    /// <summary>-T ciphers=: libtls's cipher words (null: the defaults).</summary>
    public string? Ciphers { get; private set; }

    /// <summary>-T protocols=: libtls's protocol words, colon separated (null: TLS 1.2 and 1.3).</summary>
    public string? Protocols { get; private set; }

    public bool NoSni { get; private set; }

    public string? AuthUser { get; set; }

    public string? AuthPass { get; set; }

    public List<string> Recipients { get; } = [];

    /// <summary>The parsed options, or null with the reason (usage, an unreadable authfile, a bad -T).</summary>
    public static SmtpcOptions? Parse(IReadOnlyList<string> args, string user, string hostname, out string? error, out bool usage)
    {
        var o = new SmtpcOptions { From = user, Helo = hostname };
        error = null;
        usage = false;
        var options = new Getopt(args, "FHSTas");
        while (options.Next(out char c, out string? value) is var step && step != GetoptStep.End)
        {
            // Long options are not smtp's: "--x" is an unknown option, as getopt says.
            if (step is GetoptStep.MissingValue or GetoptStep.LongOption)
            {
                usage = true;
                return null;
            }

            if (value is not null)
            {
                if (!o.Take(c, value, out error))
                {
                    return null;
                }

                continue;
            }

            switch (c)
            {
                case 'C':
                    o.TlsVerify = false;
                    break;
                case 'n':
                    o.NoAction = true;
                    break;
                case 'v':
                    o.Verbose++;
                    break;
                default:
                    usage = true;
                    return null;
            }
        }

        int i = options.Index;
        o.Recipients.AddRange(args.Skip(i));
        return o;
    }

    private bool Take(char option, string value, out string? error)
    {
        error = null;
        switch (option)
        {
            case 'F':
                From = value;
                break;
            case 'H':
                Helo = value;
                break;
            case 'S':
                ServerName = value;
                break;
            case 's':
                Server = value;
                break;
            case 'a':
                return ReadAuthFile(value, out error);
            default:
                return TlsOptions(value, out error);
        }

        return true;
    }

    /// <summary>-a: the user name on the first line, the password on the second.</summary>
    private bool ReadAuthFile(string path, out string? error)
    {
        error = null;
        string[] lines;
        try
        {
            lines = File.ReadAllText(path).Split('\n');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            error = $"{path}: open: {e.Message}";
            return false;
        }

        if (lines.Length < 2 || (lines.Length == 2 && lines[1].Length == 0))
        {
            error = $"{path}: Failed to read {(lines.Length < 1 || lines[0].Length == 0 ? "username" : "password")}";
            return false;
        }

        AuthUser = lines[0];
        AuthPass = lines[1];
        return true;
    }

    /// <summary>-T: cafile=, ciphers=, nosni, noverify, protocols=, servername=, comma separated.</summary>
    private bool TlsOptions(string value, out string? error)
    {
        error = null;
        foreach (string opt in value.Split([',', ' '], StringSplitOptions.RemoveEmptyEntries))
        {
            int eq = opt.IndexOf('=', StringComparison.Ordinal);
            string key = eq < 0 ? opt : opt[..eq];
            string? arg = eq < 0 ? null : opt[(eq + 1)..];
            switch (key)
            {
                case "cafile" or "ciphers" or "protocols" or "servername" when arg is null:
                    error = $"missing value for {key}";
                    return false;
                case "nosni" or "noverify" when arg is not null:
                    error = $"no value expected for {key}";
                    return false;
                case "cafile":
                    CaFile = arg;
                    break;
                case "servername":
                    ServerName = arg;
                    break;
                case "nosni":
                    NoSni = true;
                    break;
                case "noverify":
                    TlsVerify = false;
                    break;
                case "ciphers":
                    Ciphers = arg;
                    break;
                case "protocols":
                    Protocols = arg;
                    break;
                default:
                    error = $"invalid TLS option \"{key}\"";
                    return false;
            }
        }

        return true;
    }
}
