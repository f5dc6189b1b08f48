// What a session needs to know about the listener it was accepted on and the daemon-wide smtp
// limits. Defaults are OpenSMTPD's: 35 MB messages, 1000 recipients per transaction, 100
// messages per session, "+" as sub-addressing delimiter, DSN offered.
// Behaviour reference: usr.sbin/smtpd/smtpd.h (struct listener, DEFAULT_MAX_BODY_SIZE), config.c
namespace Smtpd.Smtp;

internal sealed record SmtpListenerOptions
{
    /// <summary>DEFAULT_MAX_BODY_SIZE.</summary>
    public const long DefaultMaxMessageSize = 35L * 1024 * 1024;

    /// <summary>The name in the banner, the EHLO reply and the Received header; local users' domain.</summary>
    public required string Hostname { get; init; }

    /// <summary>The listener's tag, copied into every envelope.</summary>
    public string Tag { get; init; } = string.Empty;

    /// <summary>max-message-size: advertised in EHLO and enforced on the data received.</summary>
    public long MaxMessageSize { get; init; } = DefaultMaxMessageSize;

    /// <summary>smtp limit max-rcpt: recipients per transaction.</summary>
    public int MaxRecipients { get; init; } = 1000;

    /// <summary>smtp limit max-mails: messages per session.</summary>
    public int MaxMails { get; init; } = 100;

    /// <summary>The sub-addressing delimiter, for the host's ruleset matching; the session only carries it.</summary>
    public char SubaddressingDelimiter { get; init; } = '+';

    /// <summary>tls: STARTTLS is offered (and accepted) until the channel is secure.</summary>
    public bool StartTls { get; init; }

    /// <summary>tls-require: MAIL FROM is refused until STARTTLS succeeded.</summary>
    public bool StartTlsRequired { get; init; }

    /// <summary>smtps: TLS starts before the banner.</summary>
    public bool Smtps { get; init; }

    /// <summary>
    /// auth or auth-optional with a verify TLS mode: a verified client certificate authenticates
    /// the client as the certificate's common name (ours; OpenSMTPD only logs the certificate).
    /// </summary>
    public bool CertificateAuth { get; init; }

    /// <summary>auth: AUTH PLAIN LOGIN is offered on secure channels.</summary>
    public bool Auth { get; init; }

    /// <summary>Which configured listener this is (-1: none, the local socket); the host finds the listener's credentials table by it.</summary>
    public int ListenerIndex { get; init; } = -1;

    /// <summary>auth (not auth-optional): MAIL FROM is refused until AUTH succeeded.</summary>
    public bool AuthRequired { get; init; }

    /// <summary>False with no-dsn: DSN is not advertised and its parameters are refused.</summary>
    public bool Dsn { get; init; } = true;

    /// <summary>mask-src: the Received header omits the client's names and address.</summary>
    public bool MaskSource { get; init; }

    /// <summary>received-auth: the Received header says whether and as whom the client authenticated.</summary>
    public bool ReceivedAuth { get; init; }

    /// <summary>The local enqueue socket: clients are trusted as authenticated.</summary>
    public bool Local { get; init; }

    /// <summary>The listening port; on 587 (as on the local socket) missing Date and Message-ID headers are added.</summary>
    public int Port { get; init; } = 25;

    /// <summary>senders &lt;table&gt;: an authenticated client's MAIL FROM must be one of its user's addresses.</summary>
    public bool Senders { get; init; }

    /// <summary>Client certificates may be accepted by fingerprint (listen on ... fingerprints &lt;table&gt;).</summary>
    public bool ClientFingerprints { get; init; }

    /// <summary>The client must present a certificate that verifies or is pinned (verify).</summary>
    public bool ClientCertificateRequired { get; init; }

    /// <summary>masquerade (with a senders table): an authenticated client's From header shows its envelope sender.</summary>
    public bool Masquerade { get; init; }

    /// <summary>filter: commands (not message lines) are shown to the host's filter chain first.</summary>
    public bool Filtered { get; init; }

    /// <summary>smtp limit max-errors: after this many 4xx/5xx replies the session gets 421 and ends.</summary>
    public int MaxErrors { get; init; } = 20;

    /// <summary>smtp limit max-auth-failures: the failed AUTH that reaches it gets 421 and the session ends.</summary>
    public int MaxAuthFailures { get; init; } = 3;

    /// <summary>smtp limit command-timeout: how long a client has to complete each command line, however it trickles.</summary>
    public TimeSpan CommandTimeout { get; init; } = TimeSpan.FromMinutes(5);

    /// <summary>smtp limit data-timeout: how long the whole message may take, from the 354 to the final dot.</summary>
    public TimeSpan DataTimeout { get; init; } = TimeSpan.FromHours(1);

    /// <summary>The longest random pause before "535 Authentication failed" (timing-attack protection).</summary>
    public TimeSpan AuthFailureDelay { get; init; } = TimeSpan.FromSeconds(1);
}
