// A client's reverse DNS: the first PTR name that is a valid host name (null when there is
// none), and whether that name resolves back to the client's address.
namespace Smtpd.Dns;

internal sealed record ReverseResult(string? Name, FcrdnsResult Fcrdns)
{
    /// <summary>
    /// The name the rest of the daemon may use (logs, Received, <c>from rdns</c> rules): only a
    /// forward-confirmed one, since anybody who controls the reverse zone of an address can make
    /// its PTR say anything ("mail.trusted.example"). Null means the session's host is "&lt;unknown&gt;".
    /// </summary>
    public string? ConfirmedName => Fcrdns == FcrdnsResult.Pass ? Name : null;
}
