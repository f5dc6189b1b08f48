// Byte-level rules of the envelope file shared by the writer and the reader: what counts as
// white space (C isspace) and which bytes can never appear inside a stored value.
// Behaviour reference: usr.sbin/smtpd/envelope.c (envelope_buffer_to_dict).
namespace Smtpd.Queue;

internal static class EnvelopeText
{
    /// <summary>C isspace() in the C locale.</summary>
    public static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or 0x0b or 0x0c or (byte)'\r';

    /// <summary>Why <paramref name="value"/> cannot be stored, or null when it can.</summary>
    public static string? FindUnsafe(ReadOnlySpan<byte> value)
    {
        // CR and LF would end the line early and start a new key (CVE-2020-8794); NUL ends a C string.
        if (value.IndexOfAny((byte)'\r', (byte)'\n', (byte)0) >= 0)
        {
            return "CR, LF or NUL in value";
        }

        // The reader skips white space after the colon, so a leading blank would be lost.
        if (value.Length != 0 && IsSpace(value[0]))
        {
            return "leading white space in value";
        }

        return null;
    }
}
