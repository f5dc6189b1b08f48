// The Sender Rewriting Scheme as OpenSMTPD writes and reads it, so that addresses stay valid
// across a change between the two daemons: a forwarded message's sender user@example.org
// leaves as SRS0=HHHH=TT=example.org=user@forwarder.test (TT: the day number modulo 1024 in
// two base32 letters; HHHH: the first four base64 characters of SHA-1 over the secret followed
// by everything after "HHHH="); an SRS0 sender forwarded again becomes SRS1=HHHH=hop==SRS0-part.
// A bounce to one of ours is read back to the original address when its hash matches the key
// (or the backup key) and its day lies within the ttl.
// Behaviour reference: usr.sbin/smtpd/srs.c.
using System.Security.Cryptography;
using System.Text;

namespace Smtpd.Mime;

internal sealed class Srs
{
    private const string Base32 = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

    private readonly string _key;
    private readonly string? _backup;
    private readonly int _ttlDays;

    /// <summary>SRS with the secret <paramref name="key"/>, <paramref name="backup"/> also accepted
    /// when reading (key rotation), and addresses valid <paramref name="ttlDays"/> days (OpenSMTPD's default: 4).</summary>
    public Srs(string key, string? backup, int ttlDays = 4)
    {
        _key = key;
        _backup = backup;
        _ttlDays = ttlDays;
    }

    /// <summary>The sender to use for mail forwarded through <paramref name="forwarderDomain"/>; the sender itself when it cannot be rewritten.</summary>
    public string Encode(string sender, string forwarderDomain, DateTimeOffset now)
    {
        if (!Split(sender, out string user, out string domain))
        {
            return sender;
        }

        string rewritten;
        if (user.StartsWith("SRS0=", StringComparison.OrdinalIgnoreCase))
        {
            // Another hop's SRS0 address: kept whole behind the domain that made it.
            rewritten = Sign("SRS1=", $"{domain}=={user[5..]}@{forwarderDomain}");
        }
        else if (user.StartsWith("SRS1=", StringComparison.OrdinalIgnoreCase))
        {
            // Already SRS1: re-signed for this hop, the previous hash dropped.
            string rest = $"{user[5..]}@{forwarderDomain}";
            if (rest.Length < 5 || rest[4] is not ('=' or '+' or '-'))
            {
                return sender;
            }

            rewritten = Sign("SRS1=", rest[5..]);
        }
        else
        {
            int day = Day(now);
            rewritten = Sign("SRS0=", $"{Base32[(day >> 5) & 0x1f]}{Base32[day & 0x1f]}={domain}={user}@{forwarderDomain}");
        }

        // SMTPD_MAXMAILADDRSIZE: an address too long to rewrite goes out as it was.
        return rewritten.Length < 256 ? rewritten : sender;
    }

    /// <summary>The address an SRS0 or SRS1 recipient stands for; null when it is not one of ours or is too old.</summary>
    public string? Decode(string rcpt, DateTimeOffset now)
    {
        if (rcpt.StartsWith("SRS0=", StringComparison.OrdinalIgnoreCase))
        {
            return DecodeSrs0(rcpt[5..], now);
        }

        return rcpt.StartsWith("SRS1=", StringComparison.OrdinalIgnoreCase) ? DecodeSrs1(rcpt[5..], now) : null;
    }

    private string? DecodeSrs0(string rest, DateTimeOffset now)
    {
        if (!Signed(rest))
        {
            return null;
        }

        rest = rest[5..];
        if (rest.Length < 3 || DayOf(rest[0], rest[1]) is not { } day || !Fresh(Day(now), day))
        {
            return null;
        }

        if (!Split(rest[3..], out string user, out _) || user.IndexOf('=', StringComparison.Ordinal) is not (int eq and >= 0))
        {
            return null;
        }

        return $"{user[(eq + 1)..]}@{user[..eq]}";
    }

    private string? DecodeSrs1(string rest, DateTimeOffset now)
    {
        if (!Signed(rest) || !Split(rest[5..], out string user, out _) || user.IndexOf('=', StringComparison.Ordinal) is not (int eq and >= 0))
        {
            return null;
        }

        // "hop==HHHH=TT=..." back to the SRS0 address at the hop that made it; its own hash is
        // the hop's to check, its day is checked here.
        string srs0 = user[(eq + 1)..];
        if (srs0.Length < 9 || srs0[8] is not ('=' or '+' or '-') || DayOf(srs0[6], srs0[7]) is not { } day || !Fresh(Day(now), day))
        {
            return null;
        }

        return $"SRS0{srs0}@{user[..eq]}";
    }

    private string Sign(string prefix, string value) => $"{prefix}{Hash(_key, value)}={value}";

    /// <summary>Whether "HHHH=value" carries the hash of value under the key or the backup key.</summary>
    private bool Signed(string text)
    {
        if (text.Length < 5)
        {
            return false;
        }

        string value = text[5..];
        return string.Equals(Hash(_key, value), text[..4], StringComparison.Ordinal)
            || (_backup is not null && string.Equals(Hash(_backup, value), text[..4], StringComparison.Ordinal));
    }

    private static string Hash(string key, string value)
    {
        Span<byte> digest = stackalloc byte[20];
#pragma warning disable CA5350 // SHA-1 is what the SRS addresses OpenSMTPD makes and reads carry.
        SHA1.HashData(Encoding.UTF8.GetBytes(key + value), digest);
#pragma warning restore CA5350
        return Convert.ToBase64String(digest)[..4];
    }

    /// <summary>Days since the epoch, modulo 1024 (ten bits).</summary>
    internal static int Day(DateTimeOffset now) => (int)(now.ToUnixTimeSeconds() / 86400 % 1024);

    private static int? DayOf(char high, char low)
    {
        int h = Base32.IndexOf(high, StringComparison.Ordinal), l = Base32.IndexOf(low, StringComparison.Ordinal);
        return h < 0 || l < 0 ? null : (h << 5) | l;
    }

    /// <summary>The address's day is today, up to ttl days before (wrapping at 1024), or tomorrow (a clock ahead).</summary>
    private bool Fresh(int today, int day)
    {
        int age = ((today - day) % 1024 + 1024) % 1024;
        return age <= _ttlDays || age == 1023;
    }

    private static bool Split(string address, out string user, out string domain)
    {
        int at = address.LastIndexOf('@');
        user = at > 0 ? address[..at] : string.Empty;
        domain = at > 0 ? address[(at + 1)..] : string.Empty;
        return at > 0 && domain.Length > 0;
    }
}
