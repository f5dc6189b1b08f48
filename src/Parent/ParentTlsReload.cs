// A reload (SIGHUP or smtpctl reload, see ParentReload) also reloads the certificates (a renewed
// Let's Encrypt pair, say) without a restart: the
// parent, the one process still outside the chroots, checks and reads every pki's files again,
// sends the keys to the crypto role and, once it has loaded them, the certificate chains to the
// dispatcher. Sessions that start afterwards get the new certificates.
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;

namespace Smtpd.Parent;

internal sealed partial class ParentProcess
{
    private uint _tlsGeneration;

    private void ReloadCertificates()
    {
        if (!_children.TryGetValue(ProcRole.Ca, out var ca))
        {
            return;
        }

        foreach (var pki in _model.Pkis)
        {
            if (pki.Cert is null || pki.Key is null)
            {
                continue;
            }

            if (Tls.TlsPkiCheck.Problem(pki) is { } problem)
            {
                Log.Warn($"warn: reload: {problem}: certificates not reloaded");
                return;
            }
        }

        uint generation = ++_tlsGeneration;
        var keys = new List<PkiPem>();
        try
        {
            foreach (var pki in _model.Pkis.Where(p => p.Cert is not null && p.Key is not null))
            {
                keys.Add(new PkiPem(pki.Name, File.ReadAllBytes(pki.Key!)));
            }

            Log.Info($"info: reload: reloading the certificates of {keys.Count} pki");
            ca.Channel.Post(new TlsReloadKeys(generation, [.. keys]));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.Warn($"warn: reload: {e.Message}: certificates not reloaded");
        }
        finally
        {
            foreach (var k in keys)
            {
                Array.Clear(k.Pem);
            }
        }
    }

    /// <summary>The crypto role has the new keys: the dispatcher may now present the new certificates.</summary>
    private void KeysReloaded(TlsReloadKeysDone done)
    {
        if (done.Error is not null)
        {
            Log.Warn($"warn: reload: ca: {done.Error}: certificates not reloaded");
            return;
        }

        if (done.Generation != _tlsGeneration || !_children.TryGetValue(ProcRole.Dispatcher, out var dispatcher))
        {
            return; // a newer reload is on its way
        }

        try
        {
            // A loop, not Where/Select: LINQ over a struct result makes the compiler emit its
            // iterators for every element type in the program (idle memory, see smtpd.csproj).
            var certs = new List<PkiPem>();
            foreach (var p in _model.Pkis)
            {
                if (p.Cert is not null && p.Key is not null)
                {
                    certs.Add(new PkiPem(p.Name, File.ReadAllBytes(p.Cert)));
                }
            }

            dispatcher.Channel.Post(new TlsReloadCerts(done.Generation, [.. certs]));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.Warn($"warn: reload: {e.Message}: certificates not reloaded");
        }
    }
}
