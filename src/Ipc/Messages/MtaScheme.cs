// How the mta talks to a relay, from the relay URL's scheme as OpenSMTPD 7 reads it. Values are
// wire format (frozen by WireEnumStabilityTests).
// Behaviour reference: usr.sbin/smtpd/to.c (text_to_relayhost), smtpd.conf.5 (relay host).
namespace Smtpd.Ipc.Messages;

internal enum MtaScheme : byte
{
    /// <summary>smtp:// (and plain MX delivery): STARTTLS when the peer offers it.</summary>
    Smtp = 0,

    /// <summary>smtp+tls://: STARTTLS required; never a MAIL in the clear.</summary>
    SmtpTls = 1,

    /// <summary>smtp+notls://: plaintext only.</summary>
    SmtpNoTls = 2,

    /// <summary>smtps://: TLS from the first byte.</summary>
    Smtps = 3,

    /// <summary>lmtp://: LHLO, one reply per recipient after the data.</summary>
    Lmtp = 4,
}
