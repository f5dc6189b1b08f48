// Rewrites address fields (To, Cc, From) as OpenSMTPD does on the way in: each comma-separated
// address without a domain gets "@<listener hostname>", and with masquerading the From address is
// replaced by the envelope sender. Quotes, comments, escapes, groups and <> are respected; anything
// that does not scan cleanly is left exactly as written.
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (header_domain_append_callback,
// header_append_domain_buffer, header_address_rewrite_buffer)
using System.Buffers;
using System.Text;

namespace Smtpd.Mime;

internal static class HeaderAddresses
{
    /// <summary>One address is handled in a buffer this large; longer ones pass through untouched.</summary>
    public const int BufferSize = 65535;

    /// <summary>
    /// Writes "<paramref name="name"/>:" and the rewritten unfolded <paramref name="value"/> (lines joined
    /// by "\n"), each line ended by "\n".
    /// </summary>
    public static void WriteField(ReadOnlySpan<byte> name, ReadOnlySpan<byte> value, string domain, string? masquerade, IBufferWriter<byte> output)
    {
        output.Write(name);
        output.Write(":"u8);
        byte[] host = Encoding.UTF8.GetBytes(domain);
        byte[]? sender = masquerade is null ? null : Encoding.UTF8.GetBytes(masquerade);
        byte[] buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            Rewrite(value, buffer, host, sender, output);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    // The address-by-address walk of header_domain_append_callback; buffer holds the current address.
    private static void Rewrite(ReadOnlySpan<byte> value, byte[] buffer, byte[] host, byte[]? sender, IBufferWriter<byte> output)
    {
        int j = 0;
        bool skip = false;
        bool escape = false, quote = false;
        int comment = 0;

        // One address is complete: qualify (and masquerade) it unless it overflowed into pass-through.
        void Flush()
        {
            ReadOnlySpan<byte> address = buffer.AsSpan(0, j);
            if (!skip && j + host.Length + 1 < BufferSize)
            {
                address = AppendDomain(address, host);
                if (sender is not null)
                {
                    address = RewriteAddress(address, sender);
                }
            }

            output.Write(address);
        }

        while (true)
        {
            int nl = value.IndexOf((byte)'\n');
            ReadOnlySpan<byte> line = nl < 0 ? value : value[..nl];
            foreach (byte c in line)
            {
                if (c == (byte)'(' && !escape && !quote)
                {
                    comment++;
                }

                if (c == (byte)'"' && !escape && comment == 0)
                {
                    quote = !quote;
                }

                if (c == (byte)')' && !escape && !quote && comment > 0)
                {
                    comment--;
                }

                escape = c == (byte)'\\' && !escape && comment == 0;

                if (c == (byte)',' && !escape && !quote && comment == 0)
                {
                    Flush();
                    output.Write(","u8);
                    j = 0;
                    skip = false;
                }
                else if (skip)
                {
                    output.Write([c]);
                }
                else
                {
                    buffer[j++] = c;
                    if (j == BufferSize - 1)
                    {
                        // Too long to be an address we would touch: the rest of it passes through as is.
                        output.Write(buffer.AsSpan(0, j));
                        skip = true;
                        j = 0;
                    }
                }
            }

            if (skip)
            {
                output.Write("\n"u8);
            }
            else
            {
                buffer[j++] = (byte)'\n';
                if (j == BufferSize - 1)
                {
                    output.Write(buffer.AsSpan(0, j));
                    skip = true;
                    j = 0;
                }
            }

            if (nl < 0)
            {
                break;
            }

            value = value[(nl + 1)..];
        }

        if (j > 0)
        {
            Flush();
        }
    }

    /// <summary>Adds "@domain" to an address that has none; returns the input when it must not be touched.</summary>
    public static byte[] AppendDomain(ReadOnlySpan<byte> address, ReadOnlySpan<byte> domain)
    {
        var scan = Scan(address);
        if (scan.Broken || scan.HasDomain || scan.HasGroup)
        {
            return address.ToArray();
        }

        int insert;
        if (scan.HasBracket)
        {
            int p = scan.LastCloseBracket - 1;
            while (p >= 0 && IsSpace(address[p]))
            {
                p--;
            }

            if (p < 0 || address[p] == (byte)'<')
            {
                return address.ToArray();
            }

            insert = p + 1;
        }
        else
        {
            if (address.Length == 0 || IsSpace(address[scan.LastComponent]))
            {
                return address.ToArray();
            }

            insert = scan.LastComponent + 1;
        }

        if (address.Length + 1 + domain.Length >= BufferSize)
        {
            return address.ToArray();
        }

        return [.. address[..insert], (byte)'@', .. domain, .. address[insert..]];
    }

    /// <summary>Puts <paramref name="sender"/> in place of the address proper (inside &lt;&gt;, or the last word).</summary>
    public static byte[] RewriteAddress(ReadOnlySpan<byte> address, ReadOnlySpan<byte> sender)
    {
        var scan = Scan(address);
        if (scan.Broken || scan.HasGroup)
        {
            return address.ToArray();
        }

        int begin, end;
        if (scan.HasBracket)
        {
            begin = scan.OpenBracket + 1;
            end = scan.LastCloseBracket;
        }
        else if (scan.LastComponent == 0)
        {
            // As in OpenSMTPD: with nothing found (or a one-character address) the sender goes in front.
            begin = end = 0;
        }
        else
        {
            begin = scan.LastComponent;
            while (begin >= 0 && address[begin] != (byte)')' && !IsSpace(address[begin]))
            {
                begin--;
            }

            begin++;
            end = scan.LastComponent + 1;
        }

        if (address.Length - (end - begin) + sender.Length >= BufferSize || end < begin)
        {
            return address.ToArray();
        }

        return [.. address[..begin], .. sender, .. address[end..]];
    }

    private static bool IsSpace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\v' or (byte)'\f' or (byte)'\r';

    private static AddressScan Scan(ReadOnlySpan<byte> s)
    {
        var r = new AddressScan();
        bool escape = false, quote = false;
        int comment = 0, bracket = 0;
        for (int i = 0; i < s.Length; i++)
        {
            byte c = s[i];
            if (c == (byte)'(' && !escape && !quote)
            {
                comment++;
            }

            if (c == (byte)'"' && !escape && comment == 0)
            {
                quote = !quote;
            }

            if (c == (byte)')' && !escape && !quote && comment > 0)
            {
                comment--;
            }

            escape = c == (byte)'\\' && !escape && comment == 0 && !quote;

            bool plain = !escape && comment == 0 && !quote;
            if (c == (byte)'<' && plain && bracket == 0)
            {
                bracket++;
                r.HasBracket = true;
                r.OpenBracket = i;
            }

            if (c == (byte)'>' && plain && bracket > 0)
            {
                bracket--;
                r.LastCloseBracket = i;
            }

            if (c == (byte)'@' && plain)
            {
                r.HasDomain = true;
            }

            if (c == (byte)':' && plain)
            {
                r.HasGroup = true;
            }

            if (comment == 0 && c != (byte)')' && !IsSpace(c))
            {
                r.LastComponent = i;
            }
        }

        r.Broken = escape || quote || comment > 0 || bracket > 0;
        return r;
    }

    private struct AddressScan
    {
        public bool Broken;
        public bool HasDomain;
        public bool HasGroup;
        public bool HasBracket;
        public int OpenBracket;
        public int LastCloseBracket;
        public int LastComponent;
    }
}
