// A client's reverse DNS: the first PTR name that is a valid host name (null when there is
// none, and the session's host is then "<unknown>"), and whether that name resolves back to the
// client's address. As in OpenSMTPD, a valid name is used even when it does not resolve back:
// forward confirmation is only the fcrdns flag ("match ... fcrdns", filters).
using Smtpd.Ipc.Messages;

namespace Smtpd.Dns;

internal sealed record ReverseResult(string? Name, FcrdnsResult Fcrdns);
