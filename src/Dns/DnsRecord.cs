// One answer record, decoded for the types we use: addresses, names (PTR, CNAME, NS; lower case,
// without the final dot), MX, TXT (its strings joined) and TLSA.
using System.Net;

namespace Smtpd.Dns;

internal sealed record DnsRecord(string Name, DnsType Type, uint Ttl, IPAddress? Address = null, string? Target = null, ushort Preference = 0, string? Text = null, TlsaAssociation? Tlsa = null);
