// One %{...} token: name, optional [begin:end] byte slice (end inclusive, negatives count from the
// end), optional :modifier|modifier list, and the sanitising of shell-unsafe characters.
// Behaviour reference: usr.sbin/smtpd/mda_variables.c (mda_expand_token, mod_*)
using System.Text;

namespace Smtpd.Mda;

internal static partial class MdaVariables
{
    // MAILADDR_ESCAPE: replaced by ':' unless :raw, so an address cannot smuggle shell syntax into a command.
    private static ReadOnlySpan<byte> Escaped => "!#$%&'*?`{|}~"u8;

    private static bool TryExpandToken(ReadOnlySpan<byte> token, MdaVariableContext ctx, out byte[] value, out MdaExpandError error)
    {
        value = [];
        if (!TryParseToken(token, out var name, out long begin, out long end, out var mods, out bool hasMods))
        {
            return Fail(MdaExpandError.BadSlice, out error);
        }

        if (!TryLookup(name, ctx, out byte[] text, out bool sanitise))
        {
            return Fail(text.Length >= ExpandBuffer ? MdaExpandError.TooLong : MdaExpandError.UnknownVariable, out error);
        }

        bool raw = false;
        if (hasMods && !TryApplyModifiers(mods, ctx, ref text, out raw))
        {
            return Fail(MdaExpandError.BadModifier, out error);
        }

        Sanitise(text, shellUnsafe: !raw && sanitise, directories: sanitise && ctx.ForPath);
        return TrySlice(text, begin, end, out value, out error);
    }

    /// <summary>
    /// Splits a token into its name, its [begin:end] slice (the whole value when there is none)
    /// and its modifier list; false for a malformed slice.
    /// </summary>
    private static bool TryParseToken(ReadOnlySpan<byte> token, out ReadOnlySpan<byte> name, out long begin, out long end, out ReadOnlySpan<byte> mods, out bool hasMods)
    {
        name = token;
        begin = 0;
        end = ExpandBuffer;
        mods = default;
        hasMods = false;
        int lb = token.IndexOf((byte)'[');
        int rb = token.IndexOf((byte)']');
        if (lb < 0 || rb < 0)
        {
            int colon = token.IndexOf((byte)':');
            if (colon >= 0)
            {
                name = token[..colon];
                mods = token[(colon + 1)..];
                hasMods = true;
            }

            return true;
        }

        if (rb < lb || rb - lb <= 1)
        {
            return false;
        }

        name = token[..lb];
        ReadOnlySpan<byte> content = token[(lb + 1)..rb];
        int sep = content.IndexOf((byte)':');
        if (sep < 0)
        {
            if (!TryOffset(content, out begin))
            {
                return false;
            }

            end = begin;
        }
        else if ((sep > 0 && !TryOffset(content[..sep], out begin)) || (sep + 1 < content.Length && !TryOffset(content[(sep + 1)..], out end)))
        {
            return false;
        }

        // OpenSMTPD keeps the ':' in front of modifiers that follow a slice, so no modifier name can
        // match there: "%{rcpt.domain[0]:lowercase}" is an error in OpenSMTPD, and here too.
        int after = token[(rb + 1)..].IndexOf((byte)':');
        if (after >= 0)
        {
            hasMods = true;
            mods = token[(rb + 1 + after)..];
        }

        return true;
    }

    /// <summary>lowercase, uppercase, strip and raw, separated by '|'; false for any other.</summary>
    private static bool TryApplyModifiers(ReadOnlySpan<byte> mods, MdaVariableContext ctx, ref byte[] text, out bool raw)
    {
        raw = false;
        foreach (var range in mods.Split((byte)'|'))
        {
            ReadOnlySpan<byte> mod = mods[range];
            if (Ascii.EqualsIgnoreCase(mod, "lowercase"u8))
            {
                ChangeCase(text, upper: false);
            }
            else if (Ascii.EqualsIgnoreCase(mod, "uppercase"u8))
            {
                ChangeCase(text, upper: true);
            }
            else if (Ascii.EqualsIgnoreCase(mod, "strip"u8))
            {
                text = Strip(text, ctx.SubaddressingDelimiter);
            }
            else if (Ascii.EqualsIgnoreCase(mod, "raw"u8))
            {
                raw = true;
            }
            else
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Replaces by ':' the shell-unsafe characters (unless :raw) and, in a path, '/': an address
    /// may not add directories ("bob/.Sent@" must not reach into bob's folders from a catch-all,
    /// whatever modifiers say; OpenSMTPD keeps the '/', mail.maildir maps it in folder names only).
    /// </summary>
    private static void Sanitise(byte[] text, bool shellUnsafe, bool directories)
    {
        for (int i = 0; i < text.Length; i++)
        {
            if ((shellUnsafe && Escaped.Contains(text[i])) || (directories && text[i] == (byte)'/'))
            {
                text[i] = (byte)':';
            }
        }
    }

    /// <summary>The [begin:end] slice of <paramref name="text"/> (end inclusive, negatives count from the end).</summary>
    private static bool TrySlice(byte[] text, long begin, long end, out byte[] value, out MdaExpandError error)
    {
        value = [];
        error = MdaExpandError.None;
        long len = text.Length;
        if (len == 0)
        {
            return true;
        }

        if (begin >= len)
        {
            return Fail(MdaExpandError.BadSlice, out error);
        }

        end = Math.Min(end, len - 1);
        begin = begin < 0 ? begin + len : begin;
        end = end < 0 ? end + len - 1 : end;
        if (begin < 0 || end < 0 || end < begin)
        {
            return Fail(MdaExpandError.BadSlice, out error);
        }

        long count = end + 1 - begin;
        if (count + 1 >= ExpandBuffer)
        {
            return Fail(MdaExpandError.TooLong, out error);
        }

        value = text.AsSpan((int)begin, (int)count).ToArray();
        return true;
    }

    // False with an empty text for an unknown name; false with an oversized text when the value
    // does not fit the expansion buffer.
    private static bool TryLookup(ReadOnlySpan<byte> name, MdaVariableContext ctx, out byte[] text, out bool sanitise)
    {
        sanitise = true;
        string? s = null;
        if (Is(name, "sender"))
        {
            s = Address(ctx.SenderUser, ctx.SenderDomain, "");
        }
        else if (Is(name, "rcpt"))
        {
            s = Address(ctx.RcptUser, ctx.RcptDomain, "");
        }
        else if (Is(name, "dest"))
        {
            s = Address(ctx.DestUser, ctx.DestDomain, "");
        }
        else if (Is(name, "sender.user"))
        {
            s = ctx.SenderUser;
        }
        else if (Is(name, "sender.domain"))
        {
            s = ctx.SenderDomain;
        }
        else if (Is(name, "user.username"))
        {
            s = ctx.UserName;
        }
        else if (Is(name, "user.directory"))
        {
            s = ctx.UserDirectory;
            sanitise = false;
        }
        else if (Is(name, "rcpt.user"))
        {
            s = ctx.RcptUser;
        }
        else if (Is(name, "rcpt.domain"))
        {
            s = ctx.RcptDomain;
        }
        else if (Is(name, "dest.user"))
        {
            s = ctx.DestUser;
        }
        else if (Is(name, "dest.domain"))
        {
            s = ctx.DestDomain;
        }
        else if (Is(name, "mda"))
        {
            s = ctx.MdaCommand;
            sanitise = false;
        }
        else if (Is(name, "mbox.from"))
        {
            s = Address(ctx.SenderUser, ctx.SenderDomain, "MAILER-DAEMON");
        }

        if (s is null)
        {
            text = [];
            return false;
        }

        text = Encoding.UTF8.GetBytes(s);
        return text.Length < ExpandBuffer;
    }

    private static bool Is(ReadOnlySpan<byte> name, string expected) => Ascii.EqualsIgnoreCase(name, expected);

    // "user@domain", or the replacement when both halves are empty (the null sender).
    private static string Address(string user, string domain, string whenEmpty) =>
        user.Length == 0 && domain.Length == 0 ? whenEmpty : user + "@" + domain;

    // "gilles+hackers@poolp.org" -> "gilles@poolp.org"; "gilles+hackers" -> "gilles".
    private static byte[] Strip(byte[] text, string delimiter)
    {
        if (delimiter.Length == 0 || delimiter[0] > 0x7f)
        {
            return text;
        }

        int tag = Array.IndexOf(text, (byte)delimiter[0]);
        if (tag < 0)
        {
            return text;
        }

        int at = Array.IndexOf(text, (byte)'@', tag);
        return at < 0 ? text[..tag] : [.. text.AsSpan(0, tag), .. text.AsSpan(at)];
    }

    // strtonum(s, -EXPAND_BUFFER, EXPAND_BUFFER): leading white space and a sign allowed, nothing after the digits.
    private static bool TryOffset(ReadOnlySpan<byte> s, out long value)
    {
        value = 0;
        int i = 0;
        while (i < s.Length && s[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r')
        {
            i++;
        }

        bool negative = false;
        if (i < s.Length && s[i] is (byte)'+' or (byte)'-')
        {
            negative = s[i] == (byte)'-';
            i++;
        }

        int digits = 0;
        for (; i < s.Length; i++, digits++)
        {
            if (!char.IsAsciiDigit((char)s[i]))
            {
                return false;
            }

            value = Math.Min(value * 10 + (s[i] - '0'), 10L * ExpandBuffer);
        }

        value = negative ? -value : value;
        return digits > 0 && value >= -ExpandBuffer && value <= ExpandBuffer;
    }

    // tolower/toupper in the C locale: ASCII letters change, every other byte stays as it is.
    private static void ChangeCase(byte[] text, bool upper)
    {
        for (int i = 0; i < text.Length; i++)
        {
            byte b = text[i];
            if (upper ? b is >= (byte)'a' and <= (byte)'z' : b is >= (byte)'A' and <= (byte)'Z')
            {
                text[i] = (byte)(b ^ 0x20);
            }
        }
    }

    private static bool Fail(MdaExpandError why, out MdaExpandError error)
    {
        error = why;
        return false;
    }
}
