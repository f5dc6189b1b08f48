// The lines sendmail sends after DATA: a From header when the message has none (with -F's or the
// GECOS full name), a Date when it has none, MIME headers when a line is too long for SMTP (the
// body then goes quoted-printable, RFC 2045 6.7, unless the message chose its own transfer
// encoding), an empty line before input that starts without a header, and the message with
// mbox "From " and Return-Path lines left out of its header. The server adds Message-ID.
// Behaviour reference: usr.sbin/smtpd/enqueue.c enqueue(), qp_encoded_write().
using System.Text;

namespace Smtpd.Enqueue;

internal static class OutgoingMessage
{
    public static IEnumerable<string> Lines(MessageInput message, string from, string? fullName, string date)
    {
        if (!message.SawFrom)
        {
            yield return fullName is { Length: > 0 } ? $"From: {fullName} <{from}>" : $"From: <{from}>";
        }

        if (!message.SawDate)
        {
            yield return "Date: " + date;
        }

        bool encode = message.NeedLineSplit && !message.SawContentTransferEncoding;
        if (encode)
        {
            if (!message.SawMimeVersion)
            {
                yield return "MIME-Version: 1.0";
            }

            if (!message.SawContentType)
            {
                yield return "Content-Type: text/plain; charset=unknown-8bit";
            }

            if (!message.SawContentDisposition)
            {
                yield return "Content-Disposition: inline";
            }

            yield return "Content-Transfer-Encoding: quoted-printable";
        }

        bool inHeader = !message.NoHeader;
        if (message.NoHeader)
        {
            yield return string.Empty;
        }

        foreach (string line in message.Lines)
        {
            if (inHeader)
            {
                if (line.Length == 0)
                {
                    inHeader = false;
                }
                else if (line.StartsWith("from ", StringComparison.OrdinalIgnoreCase) || line.StartsWith("return-path:", StringComparison.OrdinalIgnoreCase))
                {
                    continue;
                }

                yield return line;
                continue;
            }

            if (!encode)
            {
                yield return line;
                continue;
            }

            foreach (string encoded in QuotedPrintable(line))
            {
                yield return encoded;
            }
        }
    }

    /// <summary>One line as quoted-printable lines of at most 76 characters, soft breaks ending in "=".</summary>
    public static IEnumerable<string> QuotedPrintable(string line)
    {
        var output = new List<string>();
        var current = new StringBuilder();
        for (int i = 0; i < line.Length; i++)
        {
            char c = line[i];
            bool last = i == line.Length - 1;
            string piece = c is ' ' or '\t'
                ? (last ? Hex(c) : c.ToString())
                : (c is >= '!' and <= '<' or >= '>' and <= '~') ? c.ToString() : Hex(c);
            if (current.Length + piece.Length + 1 > 76)
            {
                output.Add(current.Append('=').ToString());
                current.Clear();
            }

            current.Append(piece);
        }

        output.Add(current.ToString());
        return output;
    }

    private static string Hex(char c) => "=" + ((int)c & 0xff).ToString("X2", System.Globalization.CultureInfo.InvariantCulture);
}
