// One connection to a peer: the greeting, EHLO (HELO when EHLO is refused, LHLO for LMTP),
// STARTTLS as the route wants it, AUTH over TLS only, then transactions, one per message, for as
// long as the agent has messages for this route, and QUIT. Each recipient's fate is reported as
// soon as it is known: a 2xx accepts, a 5xx fails for good, anything else is tried again later.
// Behaviour reference: usr.sbin/smtpd/mta_session.c (mta_enter_state, mta_response).
using System.Text;
using Smtpd.Ipc.Messages;
using Smtpd.Mime;

namespace Smtpd.Mta;

internal sealed partial class MtaSession
{
    private readonly MtaConnection _conn;
    private readonly MtaRouteReply _route;
    private readonly IMtaTls _tls;
    private readonly string _helo;
    private MtaCapabilities _caps = new();

    private readonly string _action;
    private readonly bool _allowTls;
    private readonly MtaHostTls _hostTls;
    private readonly MtaSecurity? _security;

    // allowTls is false on a second connection after opportunistic TLS failed with this peer:
    // plaintext then, as OpenSMTPD downgrades. hostTls: what DANE, MTA-STS or pinning ask of this host.
    public MtaSession(ulong id, MtaConnection conn, MtaRouteReply route, IMtaTls tls, string action, bool allowTls, string helo, string host, string address, string? source,
        MtaHostTls? hostTls = null, MtaSecurity? security = null)
    {
        _hostTls = hostTls ?? MtaHostTls.AsRouteSays;
        _security = security;
        _action = action;
        _allowTls = allowTls;
        Id = id;
        _conn = conn;
        _route = route;
        _tls = tls;
        _helo = helo;
        Host = host;
        Address = address;
        Source = source;
    }

    public ulong Id { get; }

    /// <summary>The peer's name (the MX or relay host) and address, for logs and Remote-MTA.</summary>
    public string Host { get; }

    public string Address { get; }

    /// <summary>Our end's address, for the delivery log's source=.</summary>
    public string? Source { get; }

    public string RelayText => MtaLog.Relay(Address, Host);

    public bool Secured { get; private set; }

    /// <summary>The TLS handshake (or verification) failed: for opportunistic TLS, the agent may try this peer again in the clear.</summary>
    public bool TlsFailed { get; private set; }

    /// <summary>Whether the peer offered DSN: it then reports deliveries itself (NOTIFY was passed on).</summary>
    public bool PeerDsn => _caps.Dsn;

    /// <summary>Messages delivered on this connection.</summary>
    public int Messages { get; private set; }

    private bool Lmtp => _route.Scheme == MtaScheme.Lmtp;

    /// <summary>Mail never goes in the clear: smtp+tls://, `tls`, or a host policy (DANE, MTA-STS enforce, pinning).</summary>
    private bool TlsRequired => _route.Scheme == MtaScheme.SmtpTls || (_hostTls.Required && _route.Scheme == MtaScheme.Smtp);

    /// <summary>
    /// From the greeting to ready for MAIL. Null when the session is usable, else why not (the
    /// agent then tries the next host): a refused greeting, a refused EHLO and HELO, TLS required
    /// and impossible, credentials that cannot be used.
    /// </summary>
    public async Task<string?> OpenAsync()
    {
        if (_route.Scheme == MtaScheme.Smtps)
        {
            string? tlsError = await StartTlsAsync();
            if (tlsError is not null)
            {
                return tlsError;
            }
        }

        var banner = await _conn.ReadReplyAsync();
        if (banner.Class != '2')
        {
            return "BANNER rejected: " + banner.Text;
        }

        string? error = await HelloAsync();
        if (error is not null)
        {
            return error;
        }

        if (!Secured && _route.Scheme is MtaScheme.Smtp or MtaScheme.SmtpTls && _caps.StartTls && _tls.Available && (_allowTls || TlsRequired))
        {
            _conn.Queue("STARTTLS");
            await _conn.FlushAsync();
            var r = await _conn.ReadReplyAsync();
            if (r.Class != '2')
            {
                // Opportunistic TLS goes on in the clear; required TLS never does.
                if (TlsRequired)
                {
                    return "STARTTLS rejected: " + r.Text;
                }
            }
            else
            {
                string? tlsError = await StartTlsAsync();
                if (tlsError is not null)
                {
                    return tlsError;
                }

                error = await HelloAsync();
                if (error is not null)
                {
                    return error;
                }
            }
        }

        if (TlsRequired && !Secured)
        {
            return _tls.Available ? "TLS required but not supported by remote host" : "TLS required but not available (this build has no TLS for relaying)";
        }

        return _route.AuthUser.Length > 0 ? await AuthenticateAsync() : null;
    }

    private async Task<string?> StartTlsAsync()
    {
        using var timeout = new CancellationTokenSource(_conn.Timeout);
        var (secured, info, error) = await _tls.StartAsync(_conn.Stream, _action, Host, _route.Verify, _hostTls, timeout.Token);
        if (secured is null)
        {
            TlsFailed = true;
            if (_hostTls.Level is MtaTlsLevel.Dane or MtaTlsLevel.StsEnforce)
            {
                Runtime.Log.Info(MtaLog.CertCheckFailed(Id, null, _hostTls.Level == MtaTlsLevel.Dane ? "dane" : "mta-sts", error));
            }

            Runtime.Log.Info(MtaLog.TlsFailure(Id));
            return "TLS handshake failed: " + error;
        }

        _conn.Upgrade(secured);
        Secured = true;
        if (info is null)
        {
            return null;
        }

        Runtime.Log.Info(MtaLog.Tls(Id, info.Text));
        switch (_hostTls.Level)
        {
            case MtaTlsLevel.Dane:
                Runtime.Log.Info(MtaLog.CertCheckBy(Id, info.PeerFingerprint, info.DaneDepth <= 0 ? "dane-ee" : $"dane-ta depth={info.DaneDepth}"));
                break;
            case MtaTlsLevel.StsEnforce:
                Runtime.Log.Info(MtaLog.CertCheckBy(Id, info.PeerFingerprint, "mta-sts"));
                break;
            case MtaTlsLevel.StsTesting when !info.PeerVerified:
                // Testing mode: the failure is reported, the mail goes anyway (RFC 8461 section 5).
                Runtime.Log.Info(MtaLog.CertCheckFailed(Id, info.PeerFingerprint, "mta-sts", "testing mode, delivering anyway: " + info.VerifyText));
                break;
            case MtaTlsLevel.StsTesting:
                Runtime.Log.Info(MtaLog.CertCheckBy(Id, info.PeerFingerprint, "mta-sts"));
                break;
            case MtaTlsLevel.Fingerprint:
                var pinned = info.PeerFingerprint is null || _security is null ? MtaSecurityStatus.None : await _security.PinnedAsync(_action, info.PeerFingerprint);
                if (pinned != MtaSecurityStatus.Found)
                {
                    string why = pinned == MtaSecurityStatus.TempFail ? "fingerprint table lookup failed" : "certificate fingerprint not pinned";
                    Runtime.Log.Info(MtaLog.CertCheckFailed(Id, info.PeerFingerprint, "fingerprint", why));
                    return "TLS handshake failed: " + why;
                }

                Runtime.Log.Info(MtaLog.CertCheckBy(Id, info.PeerFingerprint, "fingerprint"));
                break;
            case MtaTlsLevel.Encrypt:
                Runtime.Log.Info(MtaLog.CertCheck(Id, info.PeerFingerprint, false));
                break;
            default:
                Runtime.Log.Info(MtaLog.CertCheck(Id, info.PeerFingerprint, _route.Verify && info.PeerVerified));
                break;
        }

        return null;
    }

    private async Task<string?> HelloAsync()
    {
        _conn.Queue((Lmtp ? "LHLO " : "EHLO ") + _helo);
        await _conn.FlushAsync();
        var r = await _conn.ReadReplyAsync();
        if (r.Class == '2')
        {
            _caps = MtaCapabilities.Parse(r);
            return null;
        }

        if (Lmtp)
        {
            return "LHLO rejected: " + r.Text;
        }

        // A peer that does not know EHLO gets HELO (RFC 5321 section 3.2); required TLS cannot
        // come from one that does not speak ESMTP.
        if (r.Class != '5' || TlsRequired)
        {
            return "EHLO rejected: " + r.Text;
        }

        _conn.Queue("HELO " + _helo);
        await _conn.FlushAsync();
        r = await _conn.ReadReplyAsync();
        if (r.Class != '2')
        {
            return "HELO rejected: " + r.Text;
        }

        _caps = new MtaCapabilities();
        return null;
    }

    /// <summary>AUTH PLAIN or LOGIN with the route's credentials, only over TLS, as OpenSMTPD.</summary>
    private async Task<string?> AuthenticateAsync()
    {
        if (!Secured)
        {
            return "Refuse to AUTH over insecure channel";
        }

        if (!_caps.Auth)
        {
            return "AUTH not advertised";
        }

        MtaReply r;
        if (_caps.AuthPlain)
        {
            string token = Convert.ToBase64String(Encoding.UTF8.GetBytes("\0" + _route.AuthUser + "\0" + _route.AuthPassword));
            _conn.Queue("AUTH PLAIN " + token);
            await _conn.FlushAsync();
            r = await _conn.ReadReplyAsync();
        }
        else
        {
            _conn.Queue("AUTH LOGIN");
            await _conn.FlushAsync();
            r = await _conn.ReadReplyAsync();
            if (r.Code == 334)
            {
                _conn.Queue(Convert.ToBase64String(Encoding.UTF8.GetBytes(_route.AuthUser)));
                await _conn.FlushAsync();
                r = await _conn.ReadReplyAsync();
                if (r.Code == 334)
                {
                    _conn.Queue(Convert.ToBase64String(Encoding.UTF8.GetBytes(_route.AuthPassword)));
                    await _conn.FlushAsync();
                    r = await _conn.ReadReplyAsync();
                }
            }
        }

        return r.Class == '2' ? null : "AUTH rejected: " + r.Text;
    }

    public async Task QuitAsync()
    {
        _conn.Queue("QUIT");
        await _conn.FlushAsync();
        await _conn.ReadReplyAsync();
    }

    private static string NotifyText(DsnNotify n) => (n & DsnNotify.Never) != 0
        ? "NEVER"
        : string.Join(',', new[] { (DsnNotify.Success, "SUCCESS"), (DsnNotify.Failure, "FAILURE"), (DsnNotify.Delay, "DELAY") }.Where(x => (n & x.Item1) != 0).Select(x => x.Item2));
}
