// The seam where TLS to peers plugs in: the mta asks it to secure a connection (after STARTTLS
// or at once for smtps) and gets the encrypted stream, or an error. MtaTls is the OpenSSL one;
// NoMtaTls stands for a daemon that could not set TLS up: opportunistic STARTTLS is then
// skipped, and a route that requires TLS fails temporarily rather than ever sending mail in the clear.
using Smtpd.Tls;

namespace Smtpd.Mta;

internal interface IMtaTls
{
    /// <summary>Whether TLS can be started at all.</summary>
    bool Available { get; }

    /// <summary>
    /// The handshake over <paramref name="plain"/> as a client of <paramref name="host"/>, with
    /// relay action <paramref name="action"/>'s settings; with <paramref name="verify"/> the
    /// peer's certificate must be valid for the host; <paramref name="policy"/> may ask for more
    /// (DANE, MTA-STS). Null and an error text when the handshake or verification failed.
    /// </summary>
    Task<(Stream? Secured, TlsSessionInfo? Info, string Error)> StartAsync(Stream plain, string action, string host, bool verify, MtaHostTls policy, CancellationToken cancel);
}

internal sealed class NoMtaTls : IMtaTls
{
    public bool Available => false;

    public Task<(Stream? Secured, TlsSessionInfo? Info, string Error)> StartAsync(Stream plain, string action, string host, bool verify, MtaHostTls policy, CancellationToken cancel) =>
        Task.FromResult<(Stream?, TlsSessionInfo?, string)>((null, null, "TLS is not available"));
}
