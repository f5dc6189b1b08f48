// A "ca" declaration: a file of trusted certificates selected by a name.
// Behaviour reference: usr.sbin/smtpd/parse.y (ca, ca_params).
namespace Smtpd.Config;

internal sealed record CaDef
{
    public required string Name { get; init; }

    public string? Cert { get; init; }

    public SourceLocation Where { get; init; } = SourceLocation.None;
}
