// A decoded response: its code, whether it was truncated, and the answer section.
namespace Smtpd.Dns;

internal sealed record DnsResponse(ushort Id, DnsRcode Rcode, bool Truncated, bool Authoritative, string QuestionName, DnsType QuestionType, IReadOnlyList<DnsRecord> Answers);
