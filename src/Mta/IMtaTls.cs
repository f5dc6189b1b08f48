// The seam where TLS to peers plugs in: the mta asks it to secure a connection (after STARTTLS
// or at once for smtps) and gets the encrypted stream, or an error. Until the TLS layer is
// there, NoMtaTls says it is not available: opportunistic STARTTLS is then skipped, and a
// route that requires TLS fails temporarily rather than ever sending mail in the clear.
namespace Smtpd.Mta;

internal interface IMtaTls
{
    /// <summary>Whether TLS can be started at all.</summary>
    bool Available { get; }

    /// <summary>
    /// The handshake over <paramref name="plain"/> as a client of <paramref name="host"/>;
    /// with <paramref name="verify"/> the peer's certificate must be valid for the host.
    /// Null and an error text when the handshake or verification failed.
    /// </summary>
    Task<(Stream? Secured, string Error)> StartAsync(Stream plain, string host, bool verify, CancellationToken cancel);
}

internal sealed class NoMtaTls : IMtaTls
{
    public bool Available => false;

    public Task<(Stream? Secured, string Error)> StartAsync(Stream plain, string host, bool verify, CancellationToken cancel) =>
        Task.FromResult<(Stream?, string)>((null, "TLS is not available"));
}
