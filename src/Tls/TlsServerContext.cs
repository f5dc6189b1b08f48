// A TLS listener's contexts: one per pki it names (the first is the default), each holding the
// certificate chain and a stand-in for the key, whose private operations the crypto role
// performs. The client's server name (SNI) picks the first pki whose certificate is valid for
// it. Built before the chroot: the files are read here and never again.
// Behaviour reference: usr.sbin/smtpd/smtp.c (smtp_setup_listener_tls).
using Smtpd.Config;
using Smtpd.Interop;

namespace Smtpd.Tls;

internal sealed class TlsServerContext : IDisposable
{
    /// <summary>The system's trust anchors, for `tls verify` without a `ca` (libtls's default CA file).</summary>
    public const string SystemCaFile = "/etc/ssl/certs/ca-certificates.crt";

    private readonly List<OpenSslContext> _contexts;

    private TlsServerContext(List<OpenSslContext> contexts) => _contexts = contexts;

    /// <summary>The context every handshake starts with (the listener's first pki).</summary>
    public OpenSslContext Default => _contexts[0];

    /// <summary>Whether clients must present a verified certificate.</summary>
    public bool VerifyClients { get; private init; }

    /// <summary>
    /// The name the crypto role knows a pki's key by: the pki name, and after the
    /// <paramref name="generation"/>th reload "name#generation" (the old keys stay for handshakes under way).
    /// </summary>
    public static string KeyName(string pki, uint generation) =>
        generation == 0 ? pki : pki + "#" + generation.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The contexts for <paramref name="listener"/>, or null with the reason (its pki, ca, ciphers
    /// or protocols). Certificates come from their files, or from <paramref name="chains"/> (PEM
    /// by pki name) on a reload, whose <paramref name="generation"/> names the keys. A pki with
    /// ocsp staples what <paramref name="staples"/> holds for it.
    /// </summary>
    public static TlsServerContext? Create(SmtpdConfig config, ListenerDef listener, out string error, IReadOnlyDictionary<string, byte[]>? chains = null, uint generation = 0, OcspStaples? staples = null)
    {
        error = string.Empty;
        var contexts = new List<OpenSslContext>();
        var pkiNames = listener.Pkis.Count > 0 || listener.PkiTable is not null ? [.. listener.Pkis, .. FromTable(config, listener, chains)]
            : config.Pkis.Count > 0 ? [config.Pkis[0].Name] : new List<string>();
        if (pkiNames.Count == 0)
        {
            error = listener.PkiTable is { } t ? $"no certificates in table \"{t.Name}\"" : "no pki defined";
            return null;
        }

        foreach (string name in pkiNames)
        {
            // A reload may bring a table's entry that the start-up model does not know.
            PkiDef? pki = config.Pkis.FirstOrDefault(p => p.Name == name)
                ?? (chains is not null && chains.ContainsKey(name) ? new PkiDef { Name = name, Cert = name } : null);
            if (pki?.Cert is null)
            {
                error = $"pki \"{name}\": no certificate";
                Dispose(contexts);
                return null;
            }

            var ctx = OpenSslContext.Create(server: true);
            contexts.Add(ctx);
            string? failed = TlsProtocols.Apply(ctx, listener.Ciphers ?? config.SmtpCiphers, listener.Protocols, listener.Curves)
                ?? Certificate(ctx, pki, chains, generation)
                ?? TrustAnchors(ctx, config, listener);
            if (failed is not null)
            {
                error = failed;
                Dispose(contexts);
                return null;
            }

            ctx.SetDheAuto(pki.Dhe is "auto" or "legacy");
            if (pki.Ocsp && staples is not null)
            {
                ctx.SetStatusResponder(staples.For(pki.Name, ctx.CertificateSha256()));
            }

            if (listener.ClientFingerprints is not null)
            {
                // Any certificate gets through the handshake: one that does not chain to the
                // ca may still be pinned, which the session checks once it is done.
                ctx.RequestAnyPeerCertificate(require: listener.TlsVerify);
            }
            else if (listener.TlsVerify)
            {
                ctx.SetVerifyPeer(require: true);
            }
        }

        var server = new TlsServerContext(contexts) { VerifyClients = listener.TlsVerify || listener.ClientFingerprints is not null };
        if (contexts.Count > 1)
        {
            contexts[0].SetServerNameSelector(server.Select);
        }

        return server;
    }

    /// <summary>The pki names of the listener's certificates table: the model's at start, the reload's after one.</summary>
    private static IEnumerable<string> FromTable(SmtpdConfig config, ListenerDef listener, IReadOnlyDictionary<string, byte[]>? chains)
    {
        if (listener.PkiTable?.Name is not { } table)
        {
            return [];
        }

        string prefix = PkiTables.Prefix(table);
        var names = chains is null ? config.Pkis.Select(p => p.Name) : chains.Keys;
        return names.Where(n => n.StartsWith(prefix, StringComparison.Ordinal) && !listener.Pkis.Contains(n));
    }

    /// <summary>The context whose certificate is valid for <paramref name="serverName"/>, or null for the default.</summary>
    public OpenSslContext? Select(string serverName) => _contexts.FirstOrDefault(c => c.CertificateMatches(serverName));

    public void Dispose() => Dispose(_contexts);

    private static string? Certificate(OpenSslContext ctx, PkiDef pki, IReadOnlyDictionary<string, byte[]>? chains, uint generation)
    {
        string? failed = chains is null ? ctx.UseCertificateChainFile(pki.Cert!)
            : chains.TryGetValue(pki.Name, out byte[]? pem) ? ctx.UseCertificateChainPem(pem) : "not reloaded";
        if (failed is not null)
        {
            return $"pki \"{pki.Name}\": {pki.Cert}: {failed}";
        }

        return ctx.UseForwardedKey(KeyName(pki.Name, generation)) is { } k ? $"pki \"{pki.Name}\": {k}" : null;
    }

    private static string? TrustAnchors(OpenSslContext ctx, SmtpdConfig config, ListenerDef listener)
    {
        if (!listener.TlsVerify && listener.Ca is null)
        {
            return null;
        }

        string file = listener.Ca is { } name ? config.Cas.FirstOrDefault(c => c.Name == name)?.Cert ?? SystemCaFile : SystemCaFile;
        return ctx.LoadVerifyFile(file) is { } e ? $"ca {file}: {e}"
            : ctx.SetClientCaFile(file) is { } e2 ? $"ca {file}: {e2}" : null;
    }

    private static void Dispose(List<OpenSslContext> contexts)
    {
        foreach (var c in contexts)
        {
            c.Dispose();
        }
    }
}
