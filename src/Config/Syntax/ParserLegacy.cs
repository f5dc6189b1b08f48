// The relay URLs of pre-6.4 rules in today's schemes (the legacy statements are in Grammar.Legacy.cs).
// Behaviour reference: the pre-6.4 smtpd.conf(5) examples in shared/references; usr.sbin/smtpd/to.c.
namespace Smtpd.Config;

internal sealed partial class Parser
{
    /// <summary>Maps a pre-6.4 relay URL to today's schemes: the old names meant other things
    /// (old smtp+tls was opportunistic, old tls was required STARTTLS, old smtp was plaintext).</summary>
    internal static string TranslateLegacyUrl(string url)
    {
        var sep = url.IndexOf("://", StringComparison.Ordinal);
        if (sep < 0)
        {
            return url;
        }
        var scheme = url[..sep].ToLowerInvariant();
        var rest = url[(sep + 3)..];
        var modern = scheme switch
        {
            "smtp+tls" or "smtp+tls+auth" => "smtp",
            "tls" or "tls+auth" or "starttls" or "secure" or "secure+auth" => "smtp+tls",
            "smtp" or "smtp+auth" => "smtp+notls",
            "smtps" or "smtps+auth" or "ssl" or "ssl+auth" => "smtps",
            "lmtp" => "lmtp",
            _ => scheme,
        };
        return modern + "://" + rest;
    }
}
