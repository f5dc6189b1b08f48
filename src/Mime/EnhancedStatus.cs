// An RFC 3463 enhanced status code (class.subject.detail) with OpenSMTPD's descriptions, parsing from
// SMTP replies (RFC 2034: the code follows the reply code) and the packed form envelopes store.
// Behaviour reference: usr.sbin/smtpd/esc.c
using System.Globalization;

namespace Smtpd.Mime;

internal readonly partial record struct EnhancedStatus
{
    public EnhancedStatus(EnhancedStatusClass statusClass, int subject, int detail)
    {
        if (statusClass is not (EnhancedStatusClass.Success or EnhancedStatusClass.TempFail or EnhancedStatusClass.PermFail))
        {
            throw new ArgumentOutOfRangeException(nameof(statusClass));
        }

        ArgumentOutOfRangeException.ThrowIfNegative(subject);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(subject, 999);
        ArgumentOutOfRangeException.ThrowIfNegative(detail);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(detail, 999);
        Class = statusClass;
        Subject = subject;
        Detail = detail;
    }

    /// <summary>The packed form OpenSMTPD keeps in envelopes: one decimal digit each for subject and detail.</summary>
    public EnhancedStatus(EnhancedStatusClass statusClass, EnhancedStatusCode code)
        : this(statusClass, (int)code / 10, (int)code % 10)
    {
    }

    public EnhancedStatusClass Class { get; }

    public int Subject { get; }

    public int Detail { get; }

    /// <summary>Subject and detail packed as esc.c does; null when either needs more than one digit.</summary>
    public EnhancedStatusCode? Code => Subject <= 9 && Detail <= 9 ? (EnhancedStatusCode)(Subject * 10 + Detail) : null;

    /// <summary>esc.c's wording for the subject/detail pair; "Other/Undefined" for anything it does not list.</summary>
    public string Description => Code is { } code ? EnhancedStatusTexts.Describe(code) : EnhancedStatusTexts.Undefined;

    /// <summary>"5.7.1 Delivery not authorized, message refused": code and text as smtpd's replies print them.</summary>
    public string WithDescription => ToString() + " " + Description;

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{(int)Class}.{Subject}.{Detail}");

    /// <summary>Parses "c.s.d" exactly (the whole span), as in an envelope or a Status: field.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out EnhancedStatus status)
    {
        return TryParsePrefix(text, out status, out int used) && used == text.Length;
    }

    /// <summary>
    /// Finds the enhanced code that RFC 2034 puts after the reply code ("550 5.1.1 text"). The code's class
    /// must agree with the reply's first digit; otherwise the text merely looks like a code and is ignored.
    /// </summary>
    public static bool TryParseReply(ReadOnlySpan<char> reply, out EnhancedStatus status)
    {
        status = default;
        if (reply.Length < 4 || !char.IsAsciiDigit(reply[0]) || !char.IsAsciiDigit(reply[1]) || !char.IsAsciiDigit(reply[2])
            || (reply[3] != ' ' && reply[3] != '-'))
        {
            return false;
        }

        ReadOnlySpan<char> rest = reply[4..];
        if (!TryParsePrefix(rest, out status, out int used) || (used < rest.Length && rest[used] != ' '))
        {
            status = default;
            return false;
        }

        if ((int)status.Class != reply[0] - '0')
        {
            status = default;
            return false;
        }

        return true;
    }

    /// <summary>The status a reply carries, or the class-only fallback (X.0.0) its first digit implies.</summary>
    public static EnhancedStatus FromReply(ReadOnlySpan<char> reply)
    {
        if (TryParseReply(reply, out var status))
        {
            return status;
        }

        var cls = reply.Length > 0 ? reply[0] switch
        {
            '2' => EnhancedStatusClass.Success,
            '4' => EnhancedStatusClass.TempFail,
            _ => EnhancedStatusClass.PermFail,
        } : EnhancedStatusClass.PermFail;
        return new EnhancedStatus(cls, 0, 0);
    }

    private static bool TryParsePrefix(ReadOnlySpan<char> text, out EnhancedStatus status, out int used)
    {
        status = default;
        used = 0;
        if (text.Length < 5 || text[1] != '.')
        {
            return false;
        }

        EnhancedStatusClass cls;
        switch (text[0])
        {
            case '2': cls = EnhancedStatusClass.Success; break;
            case '4': cls = EnhancedStatusClass.TempFail; break;
            case '5': cls = EnhancedStatusClass.PermFail; break;
            default: return false;
        }

        int pos = 2;
        if (!TryDigits(text, ref pos, out int subject) || pos >= text.Length || text[pos] != '.')
        {
            return false;
        }

        pos++;
        if (!TryDigits(text, ref pos, out int detail))
        {
            return false;
        }

        status = new EnhancedStatus(cls, subject, detail);
        used = pos;
        return true;
    }

    // RFC 3463 allows one to three digits, without leading zeros beyond a lone "0".
    private static bool TryDigits(ReadOnlySpan<char> text, ref int pos, out int value)
    {
        value = 0;
        int start = pos;
        while (pos < text.Length && char.IsAsciiDigit(text[pos]))
        {
            if (pos - start == 3)
            {
                return false;
            }

            value = value * 10 + (text[pos] - '0');
            pos++;
        }

        int n = pos - start;
        return n > 0 && !(n > 1 && text[start] == '0');
    }
}
