// One error or notice found while loading a configuration, printed as "file:line: message".
// Behaviour reference: usr.sbin/smtpd/parse.y (yyerror).
namespace Smtpd.Config;

/// <summary>A diagnostic. <c>Line</c> is 1-based, or 0 when the problem concerns the file as a whole.</summary>
internal sealed record ConfigDiagnostic(string File, int Line, string Message)
{
    public override string ToString() => Line > 0 ? $"{File}:{Line}: {Message}" : $"{File}: {Message}";
}
