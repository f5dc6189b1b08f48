// Everything a bounce says besides the original message: kind, who reports, to whom, when, and
// the recipients it is about. The fixed Boundary/MessageId hooks exist for golden tests.
// Behaviour reference: usr.sbin/smtpd/bounce.c (struct bounce_message, struct delivery_bounce)
namespace Smtpd.Mime;

internal sealed record BounceReport
{
    public required BounceType Type { get; init; }

    /// <summary>Our host name as the bounce's sender sees it (smtpname): MAILER-DAEMON@ and Reporting-MTA.</summary>
    public required string ReportingMta { get; init; }

    /// <summary>The original envelope sender, who receives this report.</summary>
    public required string To { get; init; }

    /// <summary>When the report is written (Date:).</summary>
    public required DateTimeOffset Date { get; init; }

    /// <summary>When the original message was accepted (Arrival-Date:).</summary>
    public DateTimeOffset? ArrivalDate { get; init; }

    /// <summary>The ENVID parameter as received (xtext), if any.</summary>
    public string? EnvelopeId { get; init; }

    public DsnRet Return { get; init; } = DsnRet.Headers;

    /// <summary>For delay warnings: how long the message has waited so far.</summary>
    public TimeSpan Delay { get; init; }

    /// <summary>For delay warnings: how long the message may stay queued in all (the envelope ttl).</summary>
    public TimeSpan Expiry { get; init; }

    public required IReadOnlyList<BounceRecipient> Recipients { get; init; }

    /// <summary>MIME boundary; random when null.</summary>
    public string? Boundary { get; init; }

    /// <summary>Message-ID value with its angle brackets; random when null.</summary>
    public string? MessageId { get; init; }
}
