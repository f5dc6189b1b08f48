// The crypto role's private keys: each pki's key file, read while the role is still root and
// outside its chroot, and the operations the dispatcher asks for on its key socket.
// Behaviour reference: usr.sbin/smtpd/ca.c (ca_init, ca_imsg).
using Smtpd.Config;
using Smtpd.Interop;
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;

namespace Smtpd.Ca;

internal sealed class CaKeys
{
    private readonly Dictionary<string, OpenSslPrivateKey> _keys = new(StringComparer.Ordinal);

    /// <summary>Loads every pki's key; a key that cannot be read stops the daemon with its file.</summary>
    public void Load(IEnumerable<PkiDef> pkis)
    {
        foreach (var pki in pkis)
        {
            if (pki.Key is null)
            {
                Log.FatalX($"ca: pki \"{pki.Name}\": no key file");
            }

            var key = OpenSslPrivateKey.Load(pki.Key!, out string error);
            if (key is null)
            {
                Log.FatalX($"ca: pki \"{pki.Name}\": {pki.Key}: {error}");
            }

            if (!key!.Supported)
            {
                Log.FatalX($"ca: pki \"{pki.Name}\": {pki.Key}: unsupported key type (RSA and EC keys are supported)");
            }

            _keys[pki.Name] = key;
            Log.Debug($"debug: ca: loaded key for pki {pki.Name}");
        }
    }

    /// <summary>
    /// Adds the keys of a reload under their generation's names (TlsServerContext.KeyName); the
    /// older ones stay for handshakes under way. Null when all loaded, else why not (none added).
    /// </summary>
    public string? Reload(uint generation, IReadOnlyList<PkiPem> entries)
    {
        var loaded = new Dictionary<string, OpenSslPrivateKey>(StringComparer.Ordinal);
        foreach (var e in entries)
        {
            var key = OpenSslPrivateKey.LoadPem(e.Pem, out string error);
            Array.Clear(e.Pem);
            if (key is null || !key.Supported)
            {
                key?.Dispose();
                foreach (var k in loaded.Values)
                {
                    k.Dispose();
                }

                return $"pki \"{e.Name}\": {(key is null ? error : "unsupported key type")}";
            }

            loaded[Tls.TlsServerContext.KeyName(e.Name, generation)] = key;
        }

        foreach (var (name, key) in loaded)
        {
            _keys[name] = key;
        }

        return null;
    }

    /// <summary>Answers the dispatcher's key operations on <paramref name="channel"/> until it closes.</summary>
    public async Task ServeAsync(ImsgChannel channel)
    {
        await foreach (var msg in channel.ReadAllHereAsync())
        {
            using (msg)
            {
                if (msg.Type != ImsgType.CaKeyOperation)
                {
                    Log.FatalX($"ca: unexpected {msg.Type} on the key socket");
                }

                var op = msg.Read<CaKeyOperation>();
                byte[]? output = _keys.TryGetValue(op.Pki, out var key) ? key.Perform(op.Operation, op.Parameter, op.Input) : null;
                if (output is null)
                {
                    Log.Warn($"warn: ca: {op.Operation} for pki \"{op.Pki}\" failed");
                }

                channel.Post(new CaKeyOperationReply(output));
            }
        }
    }
}
