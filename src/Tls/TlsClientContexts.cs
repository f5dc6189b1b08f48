// TLS for connections we make (the mta's STARTTLS and smtps to peers): one client context per
// trust store a relay action names (`ca NAME`, else the system's CA bundle), built before the
// chroot hides the files; the action's ciphers and protocols apply. Peers' certificates are
// verified against the store only when the route asks for it (smtp+tls://, smtps://, tls).
// With `pki NAME` the action shows that certificate to peers that ask for a client certificate.
// Behaviour reference: usr.sbin/smtpd/mta.c (mta_setup_dispatcher: tls_config per relay action).
using Smtpd.Config;
using Smtpd.Interop;

namespace Smtpd.Tls;

internal sealed class TlsClientContexts : IDisposable
{
    private readonly Dictionary<string, OpenSslContext> _byAction = new(StringComparer.Ordinal);

    /// <summary>A context for every relay action; null with the reason when one cannot be made (a CA file, a cipher list).</summary>
    public static TlsClientContexts? Create(SmtpdConfig config, out string error)
    {
        error = string.Empty;
        var all = new TlsClientContexts();
        foreach (var a in config.Actions.Where(a => a.IsRelay))
        {
            var ctx = OpenSslContext.Create(server: false);
            all._byAction[a.Name] = ctx;
            // Any relay action may meet an MX host with TLSA records (tls dane, mta tls dane):
            // connections use DANE only when given records, so enabling it costs nothing else.
            if (ctx.EnableDane() is { } daneProblem)
            {
                error = $"action \"{a.Name}\": {daneProblem}";
                all.Dispose();
                return null;
            }

            string file = a.Ca is { } name ? config.Cas.FirstOrDefault(c => c.Name == name)?.Cert ?? TlsServerContext.SystemCaFile : TlsServerContext.SystemCaFile;
            string? failed = TlsProtocols.Apply(ctx, a.Ciphers, a.Protocols, null)
                ?? (File.Exists(file) || a.Ca is not null ? ctx.LoadVerifyFile(file) is { } e ? $"ca {file}: {e}" : null : null)
                ?? ClientCertificate(ctx, config, a.Pki);
            if (failed is not null)
            {
                error = $"action \"{a.Name}\": {failed}";
                all.Dispose();
                return null;
            }
        }

        return all;
    }

    /// <summary>
    /// `relay ... pki NAME`: the certificate chain shown to peers that ask for one. Its private
    /// key stays in the crypto role, which signs for us, as it does for listeners.
    /// </summary>
    private static string? ClientCertificate(OpenSslContext ctx, SmtpdConfig config, string? name)
    {
        if (name is null)
        {
            return null;
        }

        if (config.Pkis.FirstOrDefault(p => p.Name == name) is not { Cert: { } cert } pki)
        {
            return $"pki \"{name}\": no certificate";
        }

        return ctx.UseCertificateChainFile(cert) is { } c ? $"pki \"{name}\": {cert}: {c}"
            : ctx.UseForwardedKey(TlsServerContext.KeyName(pki.Name, 0)) is { } k ? $"pki \"{name}\": {k}" : null;
    }

    /// <summary>The context of relay action <paramref name="action"/>.</summary>
    public OpenSslContext? For(string action) => _byAction.GetValueOrDefault(action);

    public void Dispose()
    {
        foreach (var c in _byAction.Values)
        {
            c.Dispose();
        }

        _byAction.Clear();
    }
}
