// One recipient's outcome in a bounce: what the human part lists and what its per-recipient
// delivery-status block says. Unlike OpenSMTPD (always 5.0.0, no remote details), it carries the
// real enhanced status, the MTA that answered, and that MTA's reply.
// Behaviour reference: usr.sbin/smtpd/bounce.c (struct bounce_envelope)
namespace Smtpd.Mime;

internal sealed record BounceRecipient
{
    /// <summary>The address delivery was attempted to (envelope dest), user@domain.</summary>
    public required string FinalRecipient { get; init; }

    /// <summary>The ORCPT parameter as received ("rfc822;bob@example.org", xtext-encoded), if any.</summary>
    public string? OriginalRecipient { get; init; }

    public required EnhancedStatus Status { get; init; }

    /// <summary>The host that gave the answer, for Remote-MTA (relayed mail only).</summary>
    public string? RemoteMta { get; init; }

    /// <summary>The SMTP reply that decided the outcome ("550 5.1.1 ..."), for Diagnostic-Code.</summary>
    public string? DiagnosticCode { get; init; }

    /// <summary>RFC 3464 diagnostic-type: "smtp" for remote replies, "x-unix" for local delivery errors.</summary>
    public string DiagnosticType { get; init; } = "smtp";

    /// <summary>The envelope's error line, shown in the human part; falls back to DiagnosticCode.</summary>
    public string? ErrorLine { get; init; }

    public DateTimeOffset? LastAttemptDate { get; init; }

    /// <summary>A recipient answered by an SMTP (or LMTP) server: status and diagnostic straight from its reply.</summary>
    public static BounceRecipient FromReply(string finalRecipient, string reply, string? remoteMta = null, string? originalRecipient = null) => new()
    {
        FinalRecipient = finalRecipient,
        OriginalRecipient = originalRecipient,
        Status = EnhancedStatus.FromReply(reply),
        RemoteMta = remoteMta,
        DiagnosticCode = reply,
    };
}
