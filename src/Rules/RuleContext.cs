// What the ruleset looks at for one recipient: where the mail comes from, who sends it, and
// where it goes (the fields of OpenSMTPD's envelope that ruleset.c reads).
namespace Smtpd.Rules;

internal sealed record RuleContext
{
    /// <summary>The listener's tag, or null.</summary>
    public string? Tag { get; init; }

    /// <summary>The client address as ss_to_text writes it ("192.0.2.1", "[2001:db8::1]"), or "local" for the local socket.</summary>
    public required string Source { get; init; }

    /// <summary>The client's reverse DNS name, or null when it has none ("&lt;unknown&gt;").</summary>
    public string? Rdns { get; init; }

    /// <summary>Mail generated internally (bounces, forwards): only rules with a from-table apply.</summary>
    public bool Internal { get; init; }

    public string Helo { get; init; } = string.Empty;

    /// <summary>The authenticated user (empty for local enqueue, authenticated without a name), or null.</summary>
    public string? AuthUser { get; init; }

    public bool Tls { get; init; }

    /// <summary>The envelope sender, "user@domain" or empty for the null sender.</summary>
    public string Sender { get; init; } = string.Empty;

    /// <summary>The recipient, "user@domain".</summary>
    public required string Recipient { get; init; }

    public string RecipientDomain => Recipient.LastIndexOf('@') is int at and >= 0 ? Recipient[(at + 1)..] : string.Empty;
}
