// Every parser that reads bytes a client, a user, a table or filter program, a peer process or
// the disk controls. Shared by the bounded corpus replay in `make test` (tests/Fuzz/FuzzReplayTests)
// and the coverage-guided afl++ runs of `make fuzz` (tests/Fuzz/Program.cs).
using System.Buffers;
using System.Text;
using Smtpd.Config;
using Smtpd.Dns;
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;
using Smtpd.Lka;
using Smtpd.Queue;
using Smtpd.Smtp;
using Smtpd.Tables;

namespace Smtpd.Fuzz;

internal static class FuzzTargets
{
    public static readonly FuzzTarget[] All =
    [
        new("smtp-command", SmtpCommand),
        new("smtp-data", SmtpData),
        new("config", Config, typeof(FormatException)),
        new("envelope", EnvelopeFile),
        new("imsg", ImsgFrames, typeof(ImsgFormatException), typeof(FormatException)),
        new("control", ControlFrames, typeof(ImsgFormatException)),
        new("filter-protocol", FilterLines),
        new("table", TableText),
        new("aliases", Aliases),
        new("forward", Forward),
        new("resolver-files", ResolverFiles),
    ];

    public static FuzzTarget? Find(string name) => All.FirstOrDefault(t => t.Name == name);

    private static string Text(byte[] data) => Encoding.UTF8.GetString(data);

    private static IEnumerable<string> Lines(byte[] data) => Text(data).Split('\n').Select(l => l.TrimEnd('\r'));

    /// <summary>Command lines as the session splits them, then the MAIL/RCPT path and parameters.</summary>
    private static void SmtpCommand(byte[] data)
    {
        foreach (string line in Lines(data))
        {
            var (verb, args) = SmtpCommandTable.Split(line);
            _ = SmtpCommandTable.Find(verb);
            string a = args ?? string.Empty;
            // "FROM:<...>" / "TO:<...>" as the session strips them; every line tries both.
            int colon = a.IndexOf(':', StringComparison.Ordinal);
            string path = colon >= 0 ? a[(colon + 1)..].TrimStart() : a;
            if (MailAddressParser.TryParsePath(path, allowNull: true, "localhost", out var address, out string parameters))
            {
                _ = address.ToString();
                SmtpParameterParser.TryParseMailFrom(parameters, dsn: true, out _, out _);
                SmtpParameterParser.TryParseRcptTo(parameters, dsn: true, out _, out _);
            }

            SmtpParameterParser.TryParseMailFrom(a, dsn: true, out _, out _);
            SmtpParameterParser.TryParseRcptTo(a, dsn: false, out _, out _);
            _ = HostNameSyntax.IsValid(a);
            _ = MailAddressParser.IsValidXtext(a);
        }
    }

    /// <summary>The DATA path: line framing (the cap, bare LF, CRLF.CRLF), dot-unstuffing, the message writer's header checks.</summary>
    private static void SmtpData(byte[] data)
    {
        using var reader = new SmtpLineReader();
        using var output = new MemoryStream();
        var writer = new SmtpMessageWriter(output, new SmtpMessageOptions("mx.example.org", true, "Mon, 7 Dec 2026 20:00:00 +0000", null));
        var buffer = new ReadOnlySequence<byte>(data);
        while (true)
        {
            var status = reader.TryReadLine(ref buffer, out var line, out bool crlf);
            if (status != SmtpLineStatus.Complete)
            {
                break;
            }

            if (crlf && line.Length == 1 && line[0] == (byte)'.')
            {
                writer.End();
                return;
            }

            if (writer.WriteLine(line.Length > 0 && line[0] == (byte)'.' ? line[1..] : line) != SmtpTxError.None)
            {
                return;
            }
        }
    }

    /// <summary>smtpd.conf: whatever loads must print and survive the parent-to-role serialization.</summary>
    private static void Config(byte[] data)
    {
        var result = ConfigLoader.LoadFromString(Text(data), "/nonexistent-smtpd-fuzz/fuzz.conf");
        if (result.Success)
        {
            _ = ConfigPrinter.Print(result.Config!);
            var back = ConfigSerializer.Deserialize(ConfigSerializer.Serialize(result.Config!));
            if (back != result.Config)
            {
                throw new InvalidOperationException("configuration changed through serialization");
            }
        }

        // And the serialized form itself, as a role reads it from the parent.
        _ = ConfigSerializer.Deserialize(data);
    }

    /// <summary>An envelope file from the spool: whatever loads must dump again.</summary>
    private static void EnvelopeFile(byte[] data)
    {
        if (EnvelopeFormat.TryLoad(data, out var e, out _) && e is not null)
        {
            EnvelopeFormat.TryDump(e, out _, out _);
        }
    }

    /// <summary>IPC frames and the payloads of the messages with the most fields.</summary>
    private static void ImsgFrames(byte[] data)
    {
        var rest = data.AsSpan();
        while (ImsgFramer.TryRead(rest, out var header) == FrameStatus.Complete)
        {
            var payload = rest[ImsgHeader.Size..header.Length].ToArray();
            rest = rest[header.Length..];
            Decode<BounceRequest>(payload);
            Decode<EnvelopeSubmit>(payload);
            Decode<DeliveryRequest>(payload);
            Decode<MdaJob>(payload);
            Decode<DeliveryOutcome>(payload);
            Decode<ScheduleEntry>(payload);
            DecodePayload<LkaExpandReply>(payload);
            DecodePayload<LkaExpandRcpt>(payload);
            DecodePayload<CtlStats>(payload);
        }

        if (data.Length > 0 && data[0] == 0xff)
        {
            _ = ConfigSerializer.Deserialize(data.AsSpan(1));
        }
    }

    /// <summary>What a local user (smtpctl) may send the control process.</summary>
    private static void ControlFrames(byte[] data)
    {
        var rest = data.AsSpan();
        while (ImsgFramer.TryRead(rest, out var header) == FrameStatus.Complete)
        {
            var payload = rest[ImsgHeader.Size..header.Length].ToArray();
            rest = rest[header.Length..];
            DecodePayload<CtlEnvelopeCommand>(payload);
            DecodePayload<CtlUpdateTable>(payload);
            DecodePayload<CtlVerbose>(payload);
            DecodePayload<CtlQueueLines>(payload);
            DecodePayload<CtlEnvelopeStates>(payload);
            Decode<CtlId>(payload);
            Decode<CtlFlags>(payload);
        }
    }

    private static void Decode<T>(byte[] payload)
        where T : IImsgLayout<T>
    {
        try
        {
            var r = new ImsgReader(payload);
            _ = T.Read(ref r);
            r.End();
        }
        catch (ImsgFormatException)
        {
            // The reader's own verdict on a malformed payload; the next type gets its turn.
        }
    }

    private static void DecodePayload<T>(byte[] payload)
        where T : IImsgPayload<T>
    {
        try
        {
            var r = new ImsgReader(payload);
            _ = T.Read(ref r);
            r.End();
        }
        catch (ImsgFormatException)
        {
        }
    }

    /// <summary>Lines a filter program writes back (register, filter-result, filter-dataline, report).</summary>
    private static void FilterLines(byte[] data)
    {
        var filter = new FilterProc("fuzz", "filter", "mx.example.org", (_, _) => { });
        foreach (string line in Lines(data))
        {
            _ = filter.Handle(line);
        }
    }

    /// <summary>Table files (lists and maps) and the values a table hands out (credentials, addresses).</summary>
    private static void TableText(byte[] data)
    {
        var (entries, _) = TableFile.Parse(Text(data));
        var table = new StaticTable("fuzz", entries);
        foreach (var (key, value) in entries.Take(64))
        {
            _ = Credentials.Parse(key, value ?? string.Empty);
            _ = KeyMatch.Domain(key, value ?? "*");
            _ = KeyMatch.Mailaddr(key, value ?? string.Empty);
            _ = KeyMatch.Netaddr(key, value ?? "0.0.0.0/0");
            _ = KeyMatch.RegexResult(key, value ?? ".", TimeSpan.FromMilliseconds(20));
            foreach (var service in new[] { TableService.Domain, TableService.Mailaddr, TableService.Netaddr, TableService.String })
            {
                _ = table.Lookup(service, key);
            }
        }
    }

    /// <summary>An aliases file's lines (includes allowed).</summary>
    private static void Aliases(byte[] data)
    {
        foreach (string line in AliasLine.Lines(Text(data)))
        {
            _ = AliasLine.Parse(line, includes: true);
            _ = AliasLine.SplitList(line);
            _ = AliasLine.ToNode(line);
        }
    }

    /// <summary>A user's ~/.forward, as the lka reads it (no includes).</summary>
    private static void Forward(byte[] data)
    {
        foreach (string line in AliasLine.Lines(Text(data)))
        {
            _ = AliasLine.Parse(line, includes: false);
        }
    }

    /// <summary>resolv.conf and hosts, read before chroot; names as the resolver checks them.</summary>
    private static void ResolverFiles(byte[] data)
    {
        string text = Text(data);
        _ = ResolvConf.Parse(text);
        _ = HostsFile.Parse(text);
        foreach (string word in text.Split([' ', '\n', '\t'], StringSplitOptions.RemoveEmptyEntries).Take(256))
        {
            _ = DnsName.IsHostName(word);
            _ = DnsName.IsQueryable(word);
        }
    }
}
