// The header work smtpd does on every DATA line before it reaches the spool: counts Received
// fields (a mail loop after 100), drops Bcc, qualifies bare addresses in To/Cc/From with the
// listener's host name (and masquerades From when asked), and on submission listeners adds a
// missing Date or Message-ID at the end of the header. Output lines end in LF, as spooled.
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (smtp_tx_dataline)
using System.Buffers;
using System.Text;

namespace Smtpd.Mime;

internal sealed class MessageHeaderFilter
{
    /// <summary>MAX_HOPS_COUNT: this many Received fields mean the message is looping.</summary>
    public const int MaxHops = 100;

    private readonly Rfc5322Parser _parser = new();
    private readonly string _hostname;
    private readonly string? _masquerade;
    private readonly DateTimeOffset? _date;
    private readonly string? _messageId;

    /// <param name="hostname">The listener's host name, added to addresses without a domain.</param>
    /// <param name="masqueradeFrom">When set, the address in From is replaced by this one (authenticated senders on masquerading listeners).</param>
    /// <param name="date">When set (local and submission listeners), a missing Date gets this one.</param>
    /// <param name="messageId">When set, a missing Message-ID gets this value (with its angle brackets).</param>
    public MessageHeaderFilter(string hostname, string? masqueradeFrom = null, DateTimeOffset? date = null, string? messageId = null)
    {
        _hostname = hostname;
        _masquerade = masqueradeFrom;
        _date = date;
        _messageId = messageId;
    }

    public int ReceivedCount { get; private set; }

    public bool HasDate { get; private set; }

    public bool HasMessageId { get; private set; }

    public MessageFilterError Error { get; private set; }

    /// <summary>Takes one dot-unstuffed line (no CR/LF); lines after an error are ignored, as smtpd does.</summary>
    public void PushLine(ReadOnlySpan<byte> line, IBufferWriter<byte> output)
    {
        if (Error != MessageFilterError.None)
        {
            return;
        }

        if (!_parser.Push(line))
        {
            Error = MessageFilterError.Malformed;
            return;
        }

        Drain(output);
    }

    /// <summary>The final dot: flushes whatever the header still holds. True when the message is fine.</summary>
    public bool End(IBufferWriter<byte> output)
    {
        if (Error == MessageFilterError.None)
        {
            if (_parser.PushEnd())
            {
                Drain(output);
            }
            else
            {
                Error = MessageFilterError.Malformed;
            }
        }

        return Error == MessageFilterError.None;
    }

    private static bool IsAddressField(Rfc5322Parser p) => p.NameIs("To"u8) || p.NameIs("Cc"u8) || p.NameIs("From"u8);

    private void Drain(IBufferWriter<byte> output)
    {
        var p = _parser;
        while (true)
        {
            switch (p.Next())
            {
                case Rfc5322Event.None:
                case Rfc5322Event.EndOfMessage:
                    return;

                case Rfc5322Event.Error:
                    Error = MessageFilterError.Malformed;
                    return;

                case Rfc5322Event.HeaderStart:
                    if (p.NameIs("Bcc"u8))
                    {
                        continue;
                    }

                    if (IsAddressField(p))
                    {
                        // Held back whole, so the addresses can be rewritten at HeaderEnd.
                        p.UnfoldHeader();
                        continue;
                    }

                    if (p.NameIs("Received"u8))
                    {
                        if (++ReceivedCount >= MaxHops)
                        {
                            Error = MessageFilterError.Loop;
                            return;
                        }
                    }
                    else if (p.NameIs("Date"u8))
                    {
                        HasDate = true;
                    }
                    else if (p.NameIs("Message-Id"u8))
                    {
                        HasMessageId = true;
                    }

                    output.Write(p.Name);
                    output.Write(":"u8);
                    WriteLine(output, p.Value);
                    break;

                case Rfc5322Event.HeaderContinuation:
                    if (!p.NameIs("Bcc"u8) && !IsAddressField(p))
                    {
                        WriteLine(output, p.Value);
                    }

                    break;

                case Rfc5322Event.HeaderEnd:
                    if (IsAddressField(p))
                    {
                        string? masquerade = p.NameIs("From"u8) ? _masquerade : null;
                        HeaderAddresses.WriteField(p.Name, p.Value, _hostname, masquerade, output);
                    }

                    break;

                case Rfc5322Event.EndOfHeaders:
                    if (_date is { } date && !HasDate)
                    {
                        WriteLine(output, Encoding.ASCII.GetBytes("Date: " + MessageDate.Format(date)));
                    }

                    if (_messageId is not null && !HasMessageId)
                    {
                        WriteLine(output, Encoding.UTF8.GetBytes("Message-ID: " + _messageId));
                    }

                    break;

                case Rfc5322Event.BodyStart:
                case Rfc5322Event.Body:
                    WriteLine(output, p.Value);
                    break;
            }
        }
    }

    private static void WriteLine(IBufferWriter<byte> output, ReadOnlySpan<byte> line)
    {
        output.Write(line);
        output.Write("\n"u8);
    }
}
