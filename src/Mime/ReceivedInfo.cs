// What the trace header of an incoming message records about its session (the smtp_session state
// OpenSMTPD reads when DATA starts).
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (smtp_message_begin)
using System.Net;

namespace Smtpd.Mime;

internal sealed record ReceivedInfo
{
    public required string Helo { get; init; }

    /// <summary>The client's reverse DNS name, or the placeholder the session uses when there is none.</summary>
    public required string Rdns { get; init; }

    /// <summary>The client's address; null for the local socket (printed "local").</summary>
    public IPAddress? Address { get; init; }

    /// <summary>Listener option mask-src: leave the "from ..." clause out.</summary>
    public bool MaskSource { get; init; }

    /// <summary>Our name on this listener (smtpname).</summary>
    public required string SmtpName { get; init; }

    /// <summary>The software name in "by host (name)".</summary>
    public string Software { get; init; } = "OpenSMTPD";

    public bool Esmtp { get; init; }

    public bool Secure { get; init; }

    public bool Authenticated { get; init; }

    /// <summary>The message id (printed %08x).</summary>
    public required uint MsgId { get; init; }

    public string? TlsVersion { get; init; }

    public string? TlsCipher { get; init; }

    public int TlsCipherBits { get; init; }

    public bool TlsVerified { get; init; }

    /// <summary>Listener option received-auth: say whether and as whom the client authenticated.</summary>
    public bool ReceivedAuth { get; init; }

    public string? UserName { get; init; }

    /// <summary>The only recipient, when there is exactly one ("for &lt;user@domain&gt;").</summary>
    public string? SingleRecipient { get; init; }

    public required DateTimeOffset Time { get; init; }

    /// <summary>The session or transaction was junked by a filter: an X-Spam line goes first.</summary>
    public bool Junk { get; init; }
}
