// One error or notice found while loading a configuration, printed as "file:line: message".
// Behaviour reference: usr.sbin/smtpd/parse.y (yyerror).
namespace Smtpd.Config;

internal sealed record ConfigDiagnostic(string File, int Line, string Message)
{
    public override string ToString() => $"{File}:{Line}: {Message}";
}
