// TLS to peers through the OpenSSL layer: the handshake as a client of the peer's host name
// (sent as SNI; with verification, the certificate must chain to the action's trust store and
// name that host), on the relay action's client context; DANE and MTA-STS as the host's policy asks.
// Behaviour reference: usr.sbin/smtpd/mta_session.c (mta_tls_init, mta_tls_started).
using Smtpd.Tls;

namespace Smtpd.Mta;

internal sealed class MtaTls : IMtaTls
{
    private readonly TlsClientContexts _contexts;

    public MtaTls(TlsClientContexts contexts) => _contexts = contexts;

    public bool Available => true;

    public async Task<(Stream? Secured, TlsSessionInfo? Info, string Error)> StartAsync(Stream plain, string action, string host, bool verify, MtaHostTls policy, CancellationToken cancel)
    {
        var ctx = _contexts.For(action);
        if (ctx is null)
        {
            return (null, null, "no TLS context for this action");
        }

        try
        {
            var tls = policy.Level switch
            {
                // DANE: the TLSA records decide, names checked for DANE-TA against the MX host (RFC 7672 section 3.2.2).
                MtaTlsLevel.Dane => await TlsStream.ConnectDaneAsync(plain, ctx, host, policy.Tlsa, cancel),
                MtaTlsLevel.StsEnforce => await TlsStream.ConnectAsync(plain, ctx, host, verify: true, cancel),
                MtaTlsLevel.StsTesting => await TlsStream.ConnectAsync(plain, ctx, host, verify: false, cancel, checkName: true),
                MtaTlsLevel.Encrypt or MtaTlsLevel.Fingerprint => await TlsStream.ConnectAsync(plain, ctx, host, verify: false, cancel),
                _ => await TlsStream.ConnectAsync(plain, ctx, host, verify, cancel),
            };
            return (tls, tls.Info, string.Empty);
        }
        catch (Exception e) when (e is IOException or OperationCanceledException or InvalidOperationException)
        {
            return (null, null, e.Message);
        }
    }
}
