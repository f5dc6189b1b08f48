// Watches a message stream go by and notes whether its header has a positive spam verdict, the
// exact lines mail.maildir looks for: "X-Spam: yes" or "X-Spam-Flag: yes" (any case).
// Behaviour reference: usr.sbin/smtpd/mail.maildir.c (is_junk)
using System.Text;

namespace Smtpd.Mda;

internal sealed class JunkHeaderScanner
{
    // Longest line worth remembering: anything longer cannot be one of the verdict lines.
    private const int Keep = 32;

    private readonly byte[] _line = new byte[Keep];
    private int _length;
    private bool _overflow;
    private bool _inHeader = true;

    public bool IsJunk { get; private set; }

    public void Feed(ReadOnlySpan<byte> data)
    {
        foreach (byte b in data)
        {
            if (!_inHeader)
            {
                return;
            }

            if (b != (byte)'\n')
            {
                if (_length < Keep)
                {
                    _line[_length++] = b;
                }
                else
                {
                    _overflow = true;
                }

                continue;
            }

            EndLine();
        }
    }

    private void EndLine()
    {
        var line = _line.AsSpan(0, _length);
        if (line.Length > 0 && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        if (line.Length == 0 && !_overflow)
        {
            _inHeader = false;
        }
        else if (!_overflow && (Ascii.EqualsIgnoreCase(line, "x-spam: yes"u8) || Ascii.EqualsIgnoreCase(line, "x-spam-flag: yes"u8)))
        {
            IsJunk = true;
        }

        _length = 0;
        _overflow = false;
    }
}
