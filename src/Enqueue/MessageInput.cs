// The message sendmail reads on its standard input, as lines without their line ends (CRLF and
// LF both accepted), with what the header says: recipients for -t (To, Cc, Bcc; Bcc lines are
// dropped), the From address (the envelope sender when -f is not given, as enqueue.c does), and
// which headers we must add. Bytes are kept as they are (Latin-1 maps each byte to one char).
// Input ends at end of file, or, unless -i/-oi was given, at a line holding a lone dot (as
// Postfix's and Sendmail's sendmail read it; OpenSMTPD's always reads to the end of file).
// Behaviour reference: usr.sbin/smtpd/enqueue.c parse_message().
using System.Text;

namespace Smtpd.Enqueue;

internal sealed class MessageInput
{
    /// <summary>enqueue.c's LINESPLIT: a line this long (with its line end) makes the body quoted-printable.</summary>
    public const int LineSplit = 990;

    /// <summary>The message lines, Bcc headers removed, without line ends.</summary>
    public List<string> Lines { get; } = [];

    /// <summary>The bytes read (up to the ending dot), for the offline queue, which replays them with the same options.</summary>
    public byte[] Raw { get; private set; } = [];

    public List<string> HeaderRecipients { get; } = [];

    /// <summary>The last address of the From header, if there is one.</summary>
    public string? FromAddress { get; private set; }

    public bool SawFrom { get; private set; }

    public bool SawDate { get; private set; }

    public bool SawMimeVersion { get; private set; }

    public bool SawContentType { get; private set; }

    public bool SawContentDisposition { get; private set; }

    public bool SawContentTransferEncoding { get; private set; }

    /// <summary>A line too long for SMTP: the body goes out quoted-printable.</summary>
    public bool NeedLineSplit { get; private set; }

    /// <summary>The input does not start with a header: an empty line goes before it, making it the body.</summary>
    public bool NoHeader { get; private set; }

    /// <summary>The From header could not be parsed (it matters only when it gives the sender).</summary>
    public bool FromSyntaxError { get; private set; }

    /// <summary>A To, Cc or Bcc header could not be parsed (it matters only with -t).</summary>
    public bool RecipientSyntaxError { get; private set; }

    public static MessageInput Read(Stream input, bool ignoreDots)
    {
        var raw = new MemoryStream();
        var lines = new List<string>();
        var line = new MemoryStream();
        var buffer = new byte[65536];
        bool ended = false;
        while (!ended)
        {
            int n = input.Read(buffer, 0, buffer.Length);
            if (n == 0)
            {
                if (line.Length > 0)
                {
                    raw.Write(line.GetBuffer(), 0, (int)line.Length);
                    lines.Add(Text(line));
                }

                break;
            }

            for (int i = 0; i < n && !ended; i++)
            {
                line.WriteByte(buffer[i]);
                if (buffer[i] != (byte)'\n')
                {
                    continue;
                }

                string text = Text(line);
                if (!ignoreDots && text == ".")
                {
                    ended = true;
                    break;
                }

                raw.Write(line.GetBuffer(), 0, (int)line.Length);
                lines.Add(text);
                line.SetLength(0);
            }
        }

        var message = new MessageInput { Raw = raw.ToArray() };
        message.Scan(lines);
        return message;
    }

    /// <summary>A line without its LF or CRLF, each byte one char.</summary>
    private static string Text(MemoryStream line)
    {
        int length = (int)line.Length;
        var bytes = line.GetBuffer();
        if (length > 0 && bytes[length - 1] == '\n')
        {
            length--;
            if (length > 0 && bytes[length - 1] == '\r')
            {
                length--;
            }
        }

        return Encoding.Latin1.GetString(bytes, 0, length);
    }

    private void Scan(List<string> lines)
    {
        NoHeader = lines.Count == 0 || !StartsHeader(lines[0]);
        bool inHeader = !NoHeader;
        int i = 0;
        while (i < lines.Count)
        {
            string line = lines[i];
            if (line.Length + 1 >= LineSplit)
            {
                NeedLineSplit = true;
            }

            if (!inHeader)
            {
                Lines.Add(line);
                i++;
                continue;
            }

            if (line.Length == 0)
            {
                inHeader = false;
                Lines.Add(line);
                i++;
                continue;
            }

            // One field: its first line and the continuation lines after it.
            int end = i + 1;
            while (end < lines.Count && lines[end].Length > 0 && lines[end][0] is ' ' or '\t')
            {
                end++;
            }

            var field = lines.GetRange(i, end - i);
            i = end;
            int colon = line.IndexOf(':', StringComparison.Ordinal);
            string name = colon > 0 ? line[..colon].ToLowerInvariant() : string.Empty;
            string value = colon > 0 ? string.Join(" ", field)[(colon + 1)..] : string.Empty;
            foreach (string l in field)
            {
                if (l.Length + 1 >= LineSplit)
                {
                    NeedLineSplit = true;
                }
            }

            switch (name)
            {
                case "from":
                    SawFrom = true;
                    var from = HeaderAddresses.Parse(value);
                    FromSyntaxError |= from is null;
                    if (from is [.., var last])
                    {
                        FromAddress = last;
                    }

                    break;
                case "to" or "cc" or "bcc":
                    var rcpts = HeaderAddresses.Parse(value);
                    RecipientSyntaxError |= rcpts is null;
                    HeaderRecipients.AddRange(rcpts ?? []);
                    break;
                case "date":
                    SawDate = true;
                    break;
                case "mime-version":
                    SawMimeVersion = true;
                    break;
                case "content-type":
                    SawContentType = true;
                    break;
                case "content-disposition":
                    SawContentDisposition = true;
                    break;
                case "content-transfer-encoding":
                    SawContentTransferEncoding = true;
                    break;
            }

            if (name != "bcc")
            {
                Lines.AddRange(field);
            }
        }
    }

    /// <summary>A header field's first line ("Name: value"), or an mbox "From " line before the header.</summary>
    private static bool StartsHeader(string line)
    {
        if (line.StartsWith("From ", StringComparison.Ordinal))
        {
            return true;
        }

        int colon = line.IndexOf(':', StringComparison.Ordinal);
        if (colon <= 0)
        {
            return false;
        }

        for (int i = 0; i < colon; i++)
        {
            if (line[i] <= ' ' || line[i] > '~')
            {
                return false;
            }
        }

        return true;
    }
}
