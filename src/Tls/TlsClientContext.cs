// Contexts for connecting to other servers (the mta's STARTTLS and smtps): trust anchors from a
// CA file or the system's bundle, optionally a client certificate whose key stays in the crypto
// role (OpenSslKeyProxy, as for listeners), ciphers and protocols as `relay` options give them.
// Use with TlsStream.ConnectAsync(inner, context.Context, serverName, verify, ...): the server
// name is sent as SNI and, with verify, the certificate must chain to the anchors and match it.
// Behaviour reference: usr.sbin/smtpd/mta.c (mta_setup_dispatcher tls config).
using Smtpd.Config;
using Smtpd.Interop;

namespace Smtpd.Tls;

internal sealed class TlsClientContext : IDisposable
{
    private TlsClientContext(OpenSslContext context) => Context = context;

    public OpenSslContext Context { get; }

    /// <summary>
    /// A client context trusting <paramref name="caFile"/> (null: the system's bundle), presenting
    /// <paramref name="pki"/>'s certificate when given; null with the reason when a file or option is unusable.
    /// Call before the chroot: the files are read here.
    /// </summary>
    public static TlsClientContext? Create(string? caFile, PkiDef? pki, string? ciphers, string? protocols, out string error)
    {
        var ctx = OpenSslContext.Create(server: false);
        string anchors = caFile ?? TlsServerContext.SystemCaFile;
        string? failed = TlsProtocols.Apply(ctx, ciphers, protocols, null);
        if (failed is null && ctx.LoadVerifyFile(anchors) is { } caProblem)
        {
            failed = $"ca {anchors}: {caProblem}";
        }

        if (failed is null && pki?.Cert is not null)
        {
            failed = ctx.UseCertificateChainFile(pki.Cert) is { } c ? $"pki \"{pki.Name}\": {pki.Cert}: {c}"
                : ctx.UseForwardedKey(pki.Name) is { } k ? $"pki \"{pki.Name}\": {k}" : null;
        }

        error = failed ?? string.Empty;
        if (failed is not null)
        {
            ctx.Dispose();
            return null;
        }

        return new TlsClientContext(ctx);
    }

    public void Dispose() => Context.Dispose();
}
