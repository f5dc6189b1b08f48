// One answer record, decoded for the types we use: addresses, names (PTR, CNAME, NS), MX, TXT.
using System.Net;

namespace Smtpd.Dns;

internal sealed record DnsRecord(string Name, DnsType Type, uint Ttl, IPAddress? Address = null, string? Target = null, ushort Preference = 0, string? Text = null);
