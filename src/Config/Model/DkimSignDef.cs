// Our builtin DKIM signer ("filter NAME dkim-sign domain D selector S key FILE [algorithm A]
// [headers { ... }]"): messages whose From is in Domain (or below it) are signed with the key.
// Not in OpenSMTPD, which signs through filter-dkimsign or filter-rspamd processes.
namespace Smtpd.Config;

internal sealed record DkimSignDef(string Domain, string Selector, string KeyFile, string Algorithm, ValueList<string> Headers)
{
    /// <summary>The headers signed when none are configured (each only when the message has it).</summary>
    public static readonly string[] DefaultHeaders =
    [
        "from", "reply-to", "subject", "date", "to", "cc", "message-id", "in-reply-to", "references",
        "mime-version", "content-type", "content-transfer-encoding", "list-id", "list-unsubscribe",
    ];
}
