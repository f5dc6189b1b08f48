// TLS for smtp-in sessions: each TLS listener's contexts (built before the chroot), the key
// socket to the crypto role, and the handshake STARTTLS or smtps asks for on a session's
// connection. The session then talks through the encrypted stream this returns.
// Behaviour reference: usr.sbin/smtpd/smtp.c (smtp_setup_listener_tls), smtp_session.c (smtp_tls_init).
using System.IO.Pipelines;
using Smtpd.Config;
using Smtpd.Ipc;
using Smtpd.Runtime;
using Smtpd.Smtp;
using Smtpd.Tls;

namespace Smtpd.Dispatcher;

internal sealed class DispatcherTls
{
    private readonly Dictionary<int, TlsServerContext> _listeners = [];
    private readonly Dictionary<ulong, Stream> _connections = [];
    private readonly Dictionary<ulong, TlsStream> _secured = [];
    private readonly List<TlsServerContext> _retired = [];
    private readonly OcspStaples _staples = new();
    private CaKeyClient? _keys;

    /// <summary>The OCSP responses the lka fetched, stapled by the contexts of pki with ocsp.</summary>
    public OcspStaples Staples => _staples;

    /// <summary>Sets up every TLS listener; a pki, ca, ciphers or protocols that cannot be used stops the daemon.</summary>
    public void Load(SmtpdConfig config, ImsgChannel ca)
    {
        if (config.Pkis.Count > 0)
        {
            _keys = CaKeyClient.Connect(ca);
        }

        for (int i = 0; i < config.Listeners.Count; i++)
        {
            var l = config.Listeners[i];
            if (l.Tls == ListenerTls.None)
            {
                continue;
            }

            var server = TlsServerContext.Create(config, l, out string error, staples: _staples);
            if (server is null)
            {
                Log.FatalX($"smtpd: listen on {l.Interface}: {error}");
            }

            _listeners[i] = server!;
        }
    }

    /// <summary>
    /// New certificates (a SIGHUP reload): every TLS listener gets new contexts for the sessions
    /// that start from now on; sessions under way keep theirs. The old contexts are kept, not
    /// freed: a handshake may still be using them. On any error nothing changes.
    /// </summary>
    public void Reload(SmtpdConfig config, uint generation, IReadOnlyDictionary<string, byte[]> chains)
    {
        var fresh = new Dictionary<int, TlsServerContext>();
        foreach (var index in _listeners.Keys)
        {
            var l = config.Listeners[index];
            var server = TlsServerContext.Create(config, l, out string error, chains, generation, _staples);
            if (server is null)
            {
                Log.Warn($"warn: smtp: listen on {l.Interface}: certificates not reloaded: {error}");
                foreach (var s in fresh.Values)
                {
                    s.Dispose();
                }

                return;
            }

            fresh[index] = server;
        }

        _retired.AddRange(_listeners.Values);
        foreach (var (index, server) in fresh)
        {
            _listeners[index] = server;
        }

        Log.Info($"info: smtp: certificates reloaded ({chains.Count} pki)");
    }

    /// <summary>The plaintext connection of session <paramref name="id"/>, for a later handshake.</summary>
    public void Attach(ulong id, Stream connection) => _connections[id] = connection;

    /// <summary>The session ended: close_notify if it was secured, and forget it.</summary>
    public async ValueTask DetachAsync(ulong id)
    {
        _connections.Remove(id);
        if (_secured.Remove(id, out var tls))
        {
            await tls.DisposeAsync();
        }
    }

    /// <summary>
    /// The server side of the handshake for <paramref name="session"/>. Null when the listener
    /// has no TLS set up (tls-accept-failed); IOException("handshake failed: ...") when the
    /// handshake fails, which the session logs as OpenSMTPD does an io-error.
    /// </summary>
    public async ValueTask<SmtpTlsResult?> AcceptAsync(SmtpSession session, CancellationToken cancellationToken)
    {
        if (!_listeners.TryGetValue(session.Options.ListenerIndex, out var server) || !_connections.TryGetValue(session.Id, out var connection))
        {
            return null;
        }

        var tls = await TlsStream.AcceptAsync(connection, server.Default, cancellationToken);
        _secured[session.Id] = tls;
        var info = tls.Info;
        var pipe = new DuplexPipe(PipeReader.Create(tls, new(leaveOpen: true)), PipeWriter.Create(tls, new(leaveOpen: true)));
        return new SmtpTlsResult(pipe, info.Version, info.Cipher, info.Bits, server.VerifyClients && info.PeerVerified)
        {
            PeerSubject = info.PeerSubject,
            PeerFingerprint = info.PeerFingerprint,
        };
    }
}
