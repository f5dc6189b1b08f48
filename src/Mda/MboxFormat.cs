// The mbox framing mail.local writes: a "From sender date" separator line (date as ctime(3) prints
// it), the message with every line that starts "From " quoted as ">From ", a final newline if the
// message lacked one, and an empty line after it.
// Behaviour reference: OpenBSD mail.local (storemail); usr.sbin/smtpd/mda_mbox.c (the -f sender).
// Difference: mail.local quotes "From " only after an empty line; quoting every such line is what
// Postfix's local does and is read the same by every mbox reader.
using System.Globalization;
using System.Text;

namespace Smtpd.Mda;

internal sealed class MboxFormat
{
    private static ReadOnlySpan<byte> FromSpace => "From "u8;

    private static readonly string[] Days = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

    private readonly byte[] _carry = new byte[5];
    private int _carryLength;
    private bool _atLineStart = true;
    private byte _last = (byte)'\n';

    /// <summary>"From alice@example.org Sun Nov 22 02:07:36 2026\n"; the null sender is MAILER-DAEMON.</summary>
    public static byte[] SeparatorLine(string sender, DateTimeOffset date)
    {
        string who = sender.Length == 0 ? "MAILER-DAEMON" : sender;
        string when = string.Create(
            CultureInfo.InvariantCulture,
            $"{Days[(int)date.DayOfWeek]} {Months[date.Month - 1]} {date.Day,2} {date.Hour:D2}:{date.Minute:D2}:{date.Second:D2} {date.Year}");
        return Encoding.UTF8.GetBytes("From " + who + " " + when + "\n");
    }

    /// <summary>Room <see cref="Quote"/> may need for <paramref name="inputLength"/> bytes.</summary>
    public static int MaxOutput(int inputLength) => (inputLength * 2) + 8;

    /// <summary>Copies <paramref name="input"/> to <paramref name="output"/>, quoting "From " at line starts; returns bytes written.</summary>
    public int Quote(ReadOnlySpan<byte> input, Span<byte> output)
    {
        int o = 0;
        foreach (byte b in input)
        {
            if (_atLineStart || _carryLength > 0)
            {
                // Hold back what could still become "From " until the line proves otherwise.
                _carry[_carryLength++] = b;
                if (_carry.AsSpan(0, _carryLength).SequenceEqual(FromSpace[.._carryLength]))
                {
                    _atLineStart = false;
                    if (_carryLength == FromSpace.Length)
                    {
                        output[o++] = (byte)'>';
                        o += EmitCarry(output[o..]);
                    }

                    continue;
                }

                o += EmitCarry(output[o..]);
                _atLineStart = b == (byte)'\n';
                continue;
            }

            output[o++] = b;
            _last = b;
            _atLineStart = b == (byte)'\n';
        }

        return o;
    }

    /// <summary>Ends the message: what was held back, a newline if the last line had none, then the empty separator line.</summary>
    public int Finish(Span<byte> output)
    {
        int o = EmitCarry(output);
        if (_last != (byte)'\n')
        {
            output[o++] = (byte)'\n';
        }

        output[o++] = (byte)'\n';
        return o;
    }

    private int EmitCarry(Span<byte> output)
    {
        int n = _carryLength;
        _carry.AsSpan(0, n).CopyTo(output);
        if (n > 0)
        {
            _last = _carry[n - 1];
        }

        _carryLength = 0;
        return n;
    }
}
