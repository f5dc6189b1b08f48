// The smtpscript language of OpenSMTPD's old regress suite, reduced to what an in-memory session
// needs. A file holds test cases:
//
//   test-case "name" {            one fresh session each; its banner is read first
//       option starttls           listener options, before anything else: starttls, auth, no-dsn,
//                                 smtps, max-rcpt=N, max-mails=N, max-message-size=N
//       writeln "EHLO x"          send the text and CRLF (escapes: \r \n \t \0 \\ \" \xHH)
//       write "raw\r\n"           send the text as is
//       expect smtp ok            next reply is 2xx (also: helo = 2xx multi-line, intermediate = 3xx,
//                                 tempfail = 4xx, permfail = 5xx; plain "expect smtp" takes any)
//       expect reply "250 ..."    the next reply's last line is exactly this
//       expect disconnect         the server closes the connection
//       repeat 3 writeln "NOOP"   run one statement N times
//   }
//
// Lines starting with "#" are comments.
using System.Globalization;
using System.Text;
using Smtpd.Smtp;

namespace Smtpd.Tests.Smtp;

internal sealed record SmtpScenario(string File, int Line, string Name, IReadOnlyList<SmtpScenario.Statement> Body)
{
    public override string ToString() => Path.GetFileName(File) + ": " + Name;

    internal sealed record Statement(int Line, string Verb, IReadOnlyList<string> Args);

    public static List<SmtpScenario> Parse(string file)
    {
        var cases = new List<SmtpScenario>();
        List<Statement>? body = null;
        string name = string.Empty;
        int start = 0;
        string[] lines = System.IO.File.ReadAllLines(file);
        for (int i = 0; i < lines.Length; i++)
        {
            List<string> words = Tokenize(lines[i], file, i + 1);
            if (words.Count == 0)
            {
                continue;
            }

            if (words[0] == "test-case")
            {
                if (body is not null || words.Count != 3 || words[2] != "{")
                {
                    throw new FormatException($"{file}:{i + 1}: expected test-case \"name\" {{");
                }

                (name, start, body) = (words[1], i + 1, []);
            }
            else if (words[0] == "}")
            {
                cases.Add(new SmtpScenario(file, start, name, body ?? throw new FormatException($"{file}:{i + 1}: unexpected }}")));
                body = null;
            }
            else
            {
                (body ?? throw new FormatException($"{file}:{i + 1}: statement outside a test-case")).Add(new Statement(i + 1, words[0], words.Skip(1).ToList()));
            }
        }

        return body is null ? cases : throw new FormatException($"{file}: unterminated test-case \"{name}\"");
    }

    public async Task RunAsync()
    {
        SmtpListenerOptions options = SmtpHarness.DefaultOptions;
        int first = 0;
        for (; first < Body.Count && Body[first].Verb == "option"; first++)
        {
            options = Option(options, Body[first]);
        }

        await using SmtpHarness h = SmtpHarness.Start(options);
        Check(Body.Count == 0 || (await h.ReadReplyAsync()).StartsWith("220 ", StringComparison.Ordinal), Line, "no banner");
        foreach (Statement s in Body.Skip(first))
        {
            await RunAsync(h, s);
        }
    }

    private async Task RunAsync(SmtpHarness h, Statement s)
    {
        switch (s.Verb, s.Args.Count)
        {
            case ("writeln", 1):
                await h.SendAsync(s.Args[0] + "\r\n");
                break;
            case ("write", 1):
                await h.SendAsync(s.Args[0]);
                break;
            case ("expect", 1) when s.Args[0] == "disconnect":
                string? extra = await h.ReadLineAsync();
                Check(extra is null, s.Line, "expected disconnect, got: " + extra);
                break;
            case ("expect", _) when s.Args[0] == "smtp":
                string reply = await ReplyAsync(h, s);
                string kind = s.Args.Count > 1 ? s.Args[1] : "any";
                bool multi = reply.Contains('\n', StringComparison.Ordinal);
                Check(
                    kind switch
                    {
                        "any" => true,
                        "ok" => reply[0] == '2',
                        "helo" => reply[0] == '2' && multi,
                        "intermediate" => reply[0] == '3',
                        "tempfail" => reply[0] == '4',
                        "permfail" => reply[0] == '5',
                        _ => throw new FormatException($"{File}:{s.Line}: unknown reply kind {kind}"),
                    },
                    s.Line,
                    $"expected {kind}, got: {reply}");
                break;
            case ("expect", 2) when s.Args[0] == "reply":
                string last = (await ReplyAsync(h, s)).Split('\n')[^1];
                Check(last == s.Args[1], s.Line, $"expected \"{s.Args[1]}\", got \"{last}\"");
                break;
            case ("repeat", > 2):
                int times = int.Parse(s.Args[0], CultureInfo.InvariantCulture);
                var inner = new Statement(s.Line, s.Args[1], s.Args.Skip(2).ToList());
                for (int i = 0; i < times; i++)
                {
                    await RunAsync(h, inner);
                }

                break;
            default:
                throw new FormatException($"{File}:{s.Line}: cannot run {s.Verb} with {s.Args.Count} argument(s)");
        }
    }

    private async Task<string> ReplyAsync(SmtpHarness h, Statement s)
    {
        try
        {
            return await h.ReadReplyAsync();
        }
        catch (InvalidOperationException e)
        {
            throw new InvalidOperationException($"{File}:{s.Line}: {e.Message}", e);
        }
    }

    private SmtpListenerOptions Option(SmtpListenerOptions o, Statement s)
    {
        string[] kv = s.Args.Count == 1 ? s.Args[0].Split('=', 2) : throw new FormatException($"{File}:{s.Line}: option takes one word");
        long N() => long.Parse(kv[1], CultureInfo.InvariantCulture);
        return kv[0] switch
        {
            "starttls" => o with { StartTls = true },
            "auth" => o with { Auth = true },
            "no-dsn" => o with { Dsn = false },
            "smtps" => o with { Smtps = true },
            "max-rcpt" => o with { MaxRecipients = (int)N() },
            "max-mails" => o with { MaxMails = (int)N() },
            "max-message-size" => o with { MaxMessageSize = N() },
            _ => throw new FormatException($"{File}:{s.Line}: unknown option {kv[0]}"),
        };
    }

    private void Check(bool condition, int line, string message)
    {
        if (!condition)
        {
            throw new Xunit.Sdk.XunitException($"{File}:{line}: {Name}: {message}");
        }
    }

    private static List<string> Tokenize(string line, string file, int number)
    {
        var words = new List<string>();
        int i = 0;
        while (i < line.Length)
        {
            if (char.IsWhiteSpace(line[i]))
            {
                i++;
            }
            else if (line[i] == '#')
            {
                break;
            }
            else if (line[i] == '"')
            {
                var sb = new StringBuilder();
                for (i++; i < line.Length && line[i] != '"'; i++)
                {
                    if (line[i] != '\\' || i + 1 >= line.Length)
                    {
                        sb.Append(line[i]);
                        continue;
                    }

                    char e = line[++i];
                    if (e == 'x' && i + 2 < line.Length)
                    {
                        sb.Append((char)Convert.ToByte(line.Substring(i + 1, 2), 16));
                        i += 2;
                        continue;
                    }

                    sb.Append(e switch { 'r' => '\r', 'n' => '\n', 't' => '\t', '0' => '\0', _ => e });
                }

                if (i >= line.Length)
                {
                    throw new FormatException($"{file}:{number}: unterminated string");
                }

                words.Add(sb.ToString());
                i++;
            }
            else
            {
                int end = i;
                while (end < line.Length && !char.IsWhiteSpace(line[end]))
                {
                    end++;
                }

                words.Add(line[i..end]);
                i = end;
            }
        }

        return words;
    }
}
