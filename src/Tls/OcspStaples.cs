// The OCSP responses the dispatcher staples, by pki: the latest the lka sent for each, stapled
// only to the certificate it is about (a reloaded certificate waits for its own response) and
// only until its nextUpdate. Read from OpenSSL's status callback, written from the role's loop.
namespace Smtpd.Tls;

internal sealed class OcspStaples
{
    private readonly Dictionary<string, Staple> _byPki = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();

    /// <summary>The response for pki <paramref name="pki"/>'s certificate <paramref name="certSha256"/>, valid until <paramref name="expiresUnix"/> (0: no limit).</summary>
    public void Set(string pki, byte[] certSha256, long expiresUnix, byte[] response)
    {
        lock (_gate)
        {
            _byPki[pki] = new Staple(certSha256, expiresUnix, response);
        }
    }

    /// <summary>What to staple now for pki <paramref name="pki"/> whose certificate has digest <paramref name="certSha256"/>.</summary>
    public Func<byte[]?> For(string pki, byte[] certSha256) => () => Current(pki, certSha256, DateTimeOffset.UtcNow.ToUnixTimeSeconds());

    internal byte[]? Current(string pki, byte[] certSha256, long nowUnix)
    {
        Staple? s;
        lock (_gate)
        {
            _ = _byPki.TryGetValue(pki, out s);
        }

        return s is not null && s.CertSha256.AsSpan().SequenceEqual(certSha256) && (s.ExpiresUnix == 0 || nowUnix < s.ExpiresUnix) ? s.Response : null;
    }

    private sealed record Staple(byte[] CertSha256, long ExpiresUnix, byte[] Response);
}
