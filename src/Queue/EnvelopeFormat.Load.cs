// Reading an envelope file. Strict in the same places OpenSMTPD is (an unknown key, a bad
// number, an over-long value, a missing final newline or a version other than 3 make the whole
// file invalid), and never throws: the caller gets false and a reason, and moves the file aside.
// Behaviour reference: usr.sbin/smtpd/envelope.c (envelope_load_buffer, ascii_load_*).
using System.Text;
using Smtpd.Mime;

namespace Smtpd.Queue;

internal static partial class EnvelopeFormat
{
    /// <summary>Parses a whole envelope file. The envelope's Id is left zero: it comes from the file name.</summary>
    public static bool TryLoad(ReadOnlySpan<byte> data, out Envelope? envelope, out string error)
    {
        envelope = null;
        if (!TrySplit(data, out var fields, out error))
        {
            return false;
        }

        // The version key is looked up with its exact spelling, like OpenSMTPD's dict lookup;
        // the per-field matching below ignores case.
        if (!fields.TryGetValue("version", out byte[]? version))
        {
            error = "version not found";
            return false;
        }

        if (!TryNumber(version, 1, 64, out long v))
        {
            error = "cannot parse version";
            return false;
        }

        if (v != Version)
        {
            error = "bad envelope version " + v.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return false;
        }

        var e = new Envelope();
        foreach (var (key, value) in fields)
        {
            if (!TryLoadField(e, key, value))
            {
                error = "invalid field \"" + key + "\"";
                return false;
            }
        }

        e.Version = Version;
        envelope = e;
        error = string.Empty;
        return true;
    }

    /// <summary>
    /// Splits the file into keys and values. Keys are [A-Za-z0-9-]+; blanks may surround the colon;
    /// the value is the rest of the line. A repeated key keeps its last value. The map is ordered
    /// by byte value, the order in which OpenSMTPD applies the fields.
    /// </summary>
    private static bool TrySplit(ReadOnlySpan<byte> data, out SortedDictionary<string, byte[]> fields, out string error)
    {
        fields = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        if (data.Length > MaxLoadSize)
        {
            error = "envelope too large";
            return false;
        }

        if (data.IndexOf((byte)0) >= 0)
        {
            error = "NUL in envelope";
            return false;
        }

        if (data.Length != 0 && data[^1] != (byte)'\n')
        {
            error = "last line not terminated";
            return false;
        }

        while (!data.IsEmpty)
        {
            int nl = data.IndexOf((byte)'\n');
            ReadOnlySpan<byte> line = data[..nl];
            data = data[(nl + 1)..];

            int k = 0;
            while (k < line.Length && (char.IsAsciiLetterOrDigit((char)line[k]) || line[k] == (byte)'-'))
            {
                k++;
            }

            int i = k;
            while (i < line.Length && EnvelopeText.IsSpace(line[i]))
            {
                i++;
            }

            if (k == 0 || i >= line.Length || line[i] != (byte)':')
            {
                error = "malformed line";
                return false;
            }

            i++;
            while (i < line.Length && EnvelopeText.IsSpace(line[i]))
            {
                i++;
            }

            fields[Encoding.ASCII.GetString(line[..k])] = line[i..].ToArray();
        }

        error = string.Empty;
        return true;
    }

    private static bool TryLoadField(Envelope e, string key, byte[] v)
    {
        switch (key.ToLowerInvariant())
        {
            case "version":
                return TryNumber(v, 0, uint.MaxValue, out _);
            case "dispatcher":
                return TryText(v, HostNameMax, s => e.Dispatcher = s);
            case "tag":
                return TryText(v, TagMax, s => e.Tag = s);
            case "type":
                return TryType(v, e);
            case "smtpname":
                return TryText(v, HostNameMax, s => e.SmtpName = s);
            case "helo":
                return TryText(v, HostNameMax, s => e.Helo = s);
            case "hostname":
                return TryText(v, HostNameMax, s => e.Hostname = s);
            case "username":
                return TryText(v, UsernameMax, s => e.Username = s);
            case "errorline":
                return TryText(v, LineMax, s => e.ErrorLine = s);
            case "sockaddr":
                return TryText(v, LineMax, s => e.SockAddr = s) && EnvelopeSockAddr.IsValid(e.SockAddr);
            case "sender":
                return TryAddress(v, a => e.Sender = a);
            case "rcpt":
                return TryAddress(v, a => e.Rcpt = a);
            case "dest":
                return TryAddress(v, a => e.Dest = a);
            case "ctime":
                return TryTime(v, t => e.CreationTime = t);
            case "last-try":
                return TryTime(v, t => e.LastTry = t);
            case "last-bounce":
                return TryTime(v, t => e.LastBounce = t);
            case "ttl":
                return TryTime(v, t => e.Ttl = t);
            case "retry":
                return TryNumber(v, 0, ushort.MaxValue, out long r) && Set(() => e.Retry = (ushort)r);
            case "flags":
                return TryFlags(v, e);
            case "dsn-notify":
                return TryNumber(v, 0, byte.MaxValue, out long n) && Set(() => e.DsnNotify = (DsnNotify)n);
            case "dsn-ret":
                return TryDsnRet(v, e);
            case "dsn-envid":
                return TryText(v, DsnEnvIdMax, s => e.DsnEnvId = s);
            case "dsn-orcpt":
                return TryText(v, DsnOrcptMax, s => e.DsnOrcpt = s);
            case "esc-class":
                return TryNumber(v, 0, byte.MaxValue, out long c) && Set(() => e.EscClass = (byte)c);
            case "esc-code":
                return TryNumber(v, 0, byte.MaxValue, out long d) && Set(() => e.EscCode = (byte)d);
            case "mda-exec":
                return TryText(v, LineMax, s => e.MdaExec = s);
            case "mda-subaddress":
                return TryText(v, SubaddressMax, s => e.MdaSubaddress = s);
            case "mda-user":
                return TryText(v, VUserMax, s => e.MdaUser = s);
            case "bounce-type":
                return TryBounceType(v, e);
            case "bounce-delay":
                return TryTime(v, t => e.BounceDelay = t);
            case "bounce-ttl":
                return TryTime(v, t => e.BounceTtl = t);
            case "remote-mta":
                return TryText(v, HostNameMax, s => e.RemoteMta = s);
            default:
                return false;
        }
    }

    private static bool Set(Action a)
    {
        a();
        return true;
    }

    // Values are bytes on disk; anything that is not UTF-8 is read with replacement characters
    // rather than declared corrupt, so an odd byte in an error line does not cost a message.
    private static string Decode(ReadOnlySpan<byte> v) => Encoding.UTF8.GetString(v);

    private static bool TryText(byte[] v, int max, Action<string> set)
    {
        if (v.Length > max)
        {
            return false;
        }

        set(Decode(v));
        return true;
    }

    private static bool TryTime(byte[] v, Action<long> set)
    {
        if (!TryNumber(v, 0, long.MaxValue, out long t))
        {
            return false;
        }

        set(t);
        return true;
    }

    private static bool TryAddress(byte[] v, Action<MailAddr> set)
    {
        if (v.Length > MailAddrTextMax)
        {
            return false;
        }

        int at = Array.LastIndexOf(v, (byte)'@');
        int userLen = at < 0 ? v.Length : at;
        int domainLen = at < 0 ? 0 : v.Length - at - 1;
        if (userLen > LocalPartMax || domainLen > DomainPartMax)
        {
            return false;
        }

        set(at < 0 ? new MailAddr(Decode(v), string.Empty) : new MailAddr(Decode(v.AsSpan(0, at)), Decode(v.AsSpan(at + 1))));
        return true;
    }

    private static bool TryType(byte[] v, Envelope e)
    {
        string s = Encoding.ASCII.GetString(v).ToLowerInvariant();
        EnvelopeType? t = s switch
        {
            "mda" => EnvelopeType.Mda,
            "mta" => EnvelopeType.Mta,
            "bounce" => EnvelopeType.Bounce,
            _ => null,
        };
        if (t is null)
        {
            return false;
        }

        e.Type = t.Value;
        return true;
    }

    private static bool TryBounceType(byte[] v, Envelope e)
    {
        string s = Encoding.ASCII.GetString(v).ToLowerInvariant();
        BounceType? t = s switch
        {
            "error" or "failed" => BounceType.Failed,
            "warn" or "delayed" => BounceType.Delayed,
            "dsn" or "delivered" => BounceType.Delivered,
            _ => null,
        };
        if (t is null)
        {
            return false;
        }

        e.BounceType = t.Value;
        return true;
    }

    private static bool TryDsnRet(byte[] v, Envelope e)
    {
        string s = Encoding.ASCII.GetString(v).ToUpperInvariant();
        DsnRet r = s switch { "FULL" => DsnRet.Full, "HDRS" => DsnRet.Headers, _ => DsnRet.None };
        if (r == DsnRet.None)
        {
            return false;
        }

        e.DsnRet = r;
        return true;
    }

    // Tokens are separated by any one of ' ', ',' or '|'; an empty token (two separators in a row)
    // is invalid, as in OpenSMTPD. "enqueued" is an old flag that is accepted and dropped.
    private static bool TryFlags(byte[] v, Envelope e)
    {
        foreach (string token in Encoding.ASCII.GetString(v).Split([' ', ',', '|']))
        {
            switch (token.ToLowerInvariant())
            {
                case "authenticated":
                    e.Flags |= EnvelopeFlags.Authenticated;
                    break;
                case "enqueued":
                    break;
                case "bounce":
                    e.Flags |= EnvelopeFlags.Bounce;
                    break;
                case "internal":
                    e.Flags |= EnvelopeFlags.Internal;
                    break;
                default:
                    return false;
            }
        }

        return true;
    }

    /// <summary>strtonum(3) on a decimal field: optional sign, digits only, within [min, max].</summary>
    internal static bool TryNumber(ReadOnlySpan<byte> v, long min, long max, out long value)
    {
        value = 0;
        int i = 0;
        bool negative = false;
        if (i < v.Length && (v[i] == (byte)'+' || v[i] == (byte)'-'))
        {
            negative = v[i] == (byte)'-';
            i++;
        }

        if (i == v.Length)
        {
            return false;
        }

        ulong acc = 0;
        for (; i < v.Length; i++)
        {
            uint digit = (uint)(v[i] - '0');
            if (digit > 9)
            {
                return false;
            }

            acc = (acc * 10) + digit;
            if (acc > (ulong)long.MaxValue + 1)
            {
                return false;
            }
        }

        if (!negative && acc > long.MaxValue)
        {
            return false;
        }

        long n = negative ? (long)(0 - acc) : (long)acc;
        if (n < min || n > max)
        {
            return false;
        }

        value = n;
        return true;
    }
}
