// A client's reverse DNS name (null when there is none) and whether it is forward-confirmed.
namespace Smtpd.Dns;

internal sealed record ReverseResult(string? Name, FcrdnsResult Fcrdns);
