// Expands smtpd.conf(5) format specifiers — %{sender}, %{rcpt.domain[0:-4]}, %{rcpt:lowercase|strip},
// %% and a leading ~/ — in maildir paths and mda commands, with OpenSMTPD's limits and failures.
// Behaviour reference: usr.sbin/smtpd/mda_variables.c
// Works on UTF-8 bytes, as the C code works on chars, so offsets and the 1024-byte limit agree.
using System.Text;

namespace Smtpd.Mda;

internal static partial class MdaVariables
{
    /// <summary>EXPAND_BUFFER: an expansion (and every value in it) must stay below this many bytes.</summary>
    public const int ExpandBuffer = 1024;

    /// <summary>MAXTOKENLEN: what sits between %{ and } must be shorter than this.</summary>
    public const int MaxTokenLength = 128;

    /// <summary>
    /// Expands <paramref name="format"/>. False (with the reason) where OpenSMTPD returns -1. Where it
    /// returns 0 without writing — an unterminated "%{", a token of 128 bytes or more, a home directory
    /// too long for "~/" — the format comes back unexpanded and the call succeeds, as it does there.
    /// </summary>
    public static bool TryExpand(string format, MdaVariableContext context, out string result, out MdaExpandError error)
    {
        ArgumentNullException.ThrowIfNull(format);
        ArgumentNullException.ThrowIfNull(context);
        byte[] input = Encoding.UTF8.GetBytes(format);
        var output = new byte[ExpandBuffer];
        int o = 0;
        int p = 0;
        result = format;
        error = MdaExpandError.None;

        if (input.AsSpan().StartsWith("~/"u8))
        {
            byte[] home = Encoding.UTF8.GetBytes(context.UserDirectory);
            if (home.Length + 1 >= ExpandBuffer)
            {
                return true;
            }

            home.CopyTo(output, 0);
            output[home.Length] = (byte)'/';
            o = home.Length + 1;
            p = 2;
        }

        while (p < input.Length && o < ExpandBuffer)
        {
            if (input[p] != (byte)'%' || p + 1 >= input.Length || (input[p + 1] != (byte)'%' && input[p + 1] != (byte)'{'))
            {
                output[o++] = input[p++];
                continue;
            }

            if (input[p + 1] == (byte)'%')
            {
                output[o++] = (byte)'%';
                p += 2;
                continue;
            }

            int close = input.AsSpan(p + 2).IndexOf((byte)'}');
            if (close < 0 || close >= MaxTokenLength)
            {
                return true;
            }

            if (!TryExpandToken(input.AsSpan(p + 2, close), context, out byte[] value, out error))
            {
                return false;
            }

            if (ExpandBuffer - o <= value.Length)
            {
                error = MdaExpandError.TooLong;
                return false;
            }

            value.CopyTo(output, o);
            o += value.Length;
            p += close + 3;
        }

        if (o >= ExpandBuffer)
        {
            error = MdaExpandError.TooLong;
            return false;
        }

        result = Encoding.UTF8.GetString(output, 0, o);
        return true;
    }

    /// <summary>Like TryExpand, for callers that only need the text or null.</summary>
    public static string? Expand(string format, MdaVariableContext context) =>
        TryExpand(format, context, out string result, out _) ? result : null;
}
