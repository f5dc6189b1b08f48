// What `smtpd -n` (and start-up) finds wrong with a pki's files before any handshake: a
// certificate file without a usable chain, a key that does not parse, is of a type the crypto
// role cannot stand in for, or does not belong to the certificate; a CA file without
// certificates. OpenSMTPD finds most of these only when the first client connects.
using Smtpd.Config;
using Smtpd.Interop;

namespace Smtpd.Tls;

internal static class TlsPkiCheck
{
    /// <summary>What is wrong with <paramref name="pki"/>'s certificate and key, or null.</summary>
    public static string? Problem(PkiDef pki)
    {
        using var ctx = OpenSslContext.Create(server: true);
        if (ctx.UseCertificateChainFile(pki.Cert!) is { } certProblem)
        {
            return $"pki \"{pki.Name}\": failed to load certificate file \"{pki.Cert}\": {certProblem}";
        }

        using var key = OpenSslPrivateKey.Load(pki.Key!, out string keyProblem);
        if (key is null)
        {
            return $"pki \"{pki.Name}\": failed to load key file \"{pki.Key}\": {keyProblem}";
        }

        if (!key.Supported)
        {
            return $"pki \"{pki.Name}\": key file \"{pki.Key}\": unsupported key type (RSA and EC keys are supported)";
        }

        return ctx.MatchesKey(key) ? null : $"pki \"{pki.Name}\": key file \"{pki.Key}\" does not match certificate file \"{pki.Cert}\"";
    }

    /// <summary>What is wrong with a CA file, or null.</summary>
    public static string? CaProblem(CaDef ca)
    {
        using var ctx = OpenSslContext.Create(server: true);
        return ctx.LoadVerifyFile(ca.Cert!) is { } p ? $"ca \"{ca.Name}\": failed to load CA file \"{ca.Cert}\": {p}" : null;
    }

    /// <summary>What is wrong with a listener's ciphers or protocols string, or null.</summary>
    public static string? OptionsProblem(string? ciphers, string? protocols, string? curves)
    {
        if (ciphers is null && protocols is null && curves is null)
        {
            return null;
        }

        using var ctx = OpenSslContext.Create(server: true);
        return TlsProtocols.Apply(ctx, ciphers, protocols, curves);
    }
}
