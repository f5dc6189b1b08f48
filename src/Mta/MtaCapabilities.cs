// What a peer said it can do in its EHLO (or LHLO) reply.
// Behaviour reference: usr.sbin/smtpd/mta_session.c (mta_io: MTA_EXT_* flags), RFC 1870, 2920,
// 3207, 3461, 4954, 6152, 6531.
namespace Smtpd.Mta;

internal sealed record MtaCapabilities
{
    public bool StartTls { get; init; }

    public bool Pipelining { get; init; }

    public bool EightBitMime { get; init; }

    public bool Dsn { get; init; }

    public bool Size { get; init; }

    public bool SmtpUtf8 { get; init; }

    public bool AuthPlain { get; init; }

    public bool AuthLogin { get; init; }

    public bool Auth => AuthPlain || AuthLogin;

    public static MtaCapabilities Parse(MtaReply ehlo)
    {
        var caps = new MtaCapabilities();
        foreach (var line in ehlo.Lines.Skip(1))
        {
            string[] words = line.Length > 4 ? line[4..].Split(' ', StringSplitOptions.RemoveEmptyEntries) : [];
            if (words.Length == 0)
            {
                continue;
            }

            string kw = words[0].ToUpperInvariant();
            caps = kw switch
            {
                "STARTTLS" => caps with { StartTls = true },
                "PIPELINING" => caps with { Pipelining = true },
                "8BITMIME" => caps with { EightBitMime = true },
                "DSN" => caps with { Dsn = true },
                "SIZE" => caps with { Size = true },
                "SMTPUTF8" => caps with { SmtpUtf8 = true },
                "AUTH" => caps with
                {
                    AuthPlain = caps.AuthPlain || words.Skip(1).Any(w => w.Equals("PLAIN", StringComparison.OrdinalIgnoreCase)),
                    AuthLogin = caps.AuthLogin || words.Skip(1).Any(w => w.Equals("LOGIN", StringComparison.OrdinalIgnoreCase)),
                },
                _ => caps,
            };
        }

        return caps;
    }
}
