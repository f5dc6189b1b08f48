// The host-name check behind valid_domainpart: what OpenSMTPD 7.8 on Linux accepts in HELO,
// EHLO and the domain of MAIL FROM and RCPT TO. OpenSMTPD calls res_hnok(3), and on Linux that
// is glibc's, which first converts the name to DNS wire form: empty labels ("bad..name"), labels
// over 63 octets and names over 253 octets fail there. glibc then allows letters, digits, "-" and
// "_" anywhere in a label and refuses only a "-" at the very start of the name (so that a name
// cannot pass for a command-line option). OpenBSD's own res_hnok differs (it skips the label
// lengths and wants letters or digits at both ends of each label); the Linux one is what users
// of OpenSMTPD 7.8 on Linux see, checked against Debian's OpenSMTPD build.
// Behaviour reference: usr.sbin/smtpd/util.c (valid_domainpart); glibc resolv/res-name-checking.c
namespace Smtpd.Smtp;

internal static class HostNameSyntax
{
    /// <summary>Longest label: 63 octets (RFC 1035 section 2.3.4).</summary>
    public const int MaxLabelLength = Dns.DnsName.MaxLabelLength;

    /// <summary>Longest name without its trailing dot: 255 octets of wire form less the length octets.</summary>
    public const int MaxNameLength = Dns.DnsName.MaxNameLength;

    /// <remarks>
    /// <code>
    /// hostname = label *( "." label )            ; at most 253 octets; no trailing "." (which
    ///                                            ; res_hnok allows but valid_domainpart refuses)
    /// label    = 1*63( ALPHA / DIGIT / "-" / "_" )
    ///                                            ; the name does not start with "-"
    /// </code>
    /// Unlike glibc, a backslash is refused outright: glibc reads "\DDD" and "\X" as DNS escapes
    /// (so "exampl\e.org" passes and means example.org to a resolver), which would let a
    /// domain compare unequal to the name that mail is actually routed to. The resolver applies
    /// the same rule to the PTR names it hands on, so the one definition lives there.
    /// </remarks>
    public static bool IsValid(ReadOnlySpan<char> name) => Dns.DnsName.IsHostName(name);
}
