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

        return !ctx.MatchesKey(key) ? $"pki \"{pki.Name}\": key file \"{pki.Key}\" does not match certificate file \"{pki.Cert}\""
            : pki.Ocsp ? OcspProblem(pki) : null;
    }

    /// <summary>Why OCSP stapling cannot work for <paramref name="pki"/>'s certificate (no issuer in the file, no responder named), or null.</summary>
    public static string? OcspProblem(PkiDef pki)
    {
        byte[] pem;
        try
        {
            pem = File.ReadAllBytes(pki.Cert!);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"pki \"{pki.Name}\": ocsp: {pki.Cert}: {e.Message}";
        }

        using var query = OcspQuery.Create(pem, out string error);
        return query is null ? $"pki \"{pki.Name}\": ocsp: {pki.Cert}: {error}"
            : query.ResponderUrls.Count == 0 ? $"pki \"{pki.Name}\": ocsp: the certificate in \"{pki.Cert}\" names no OCSP responder"
            : !query.ResponderUrls.Any(u => OcspHttp.Parse(u) is not null) ? $"pki \"{pki.Name}\": ocsp: no responder with an http:// URL ({string.Join(", ", query.ResponderUrls)})"
            : null;
    }

    /// <summary>
    /// What works but is probably not meant: a certificate that has expired or is not valid yet,
    /// or whose names do not include the pki's name (a client that checks names would refuse it).
    /// </summary>
    public static IEnumerable<string> Warnings(PkiDef pki)
    {
        using var ctx = OpenSslContext.Create(server: true);
        if (ctx.UseCertificateChainFile(pki.Cert!) is not null)
        {
            yield break;
        }

        var (expired, notYet) = ctx.CertificateValidity();
        if (expired)
        {
            yield return $"warning: pki \"{pki.Name}\": the certificate in \"{pki.Cert}\" has expired";
        }

        if (notYet)
        {
            yield return $"warning: pki \"{pki.Name}\": the certificate in \"{pki.Cert}\" is not valid yet";
        }

        string host = PkiTables.Host(pki.Name);
        if (host != "*" && !ctx.CertificateMatches(host))
        {
            yield return $"warning: pki \"{pki.Name}\": the certificate in \"{pki.Cert}\" is not valid for {host}";
        }
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
