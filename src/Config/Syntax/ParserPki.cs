// Certificate names of "pki" and "ca" statements (the statements are in Grammar.Pki.cs).
// Behaviour reference: usr.sbin/smtpd/parse.y (pki, ca).
namespace Smtpd.Config;

internal sealed partial class Parser
{
    internal static bool IsHostName(string name) =>
        name.Length is > 0 and <= 255 && !name.StartsWith('.') && !name.Contains("..", StringComparison.Ordinal)
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_');
}
