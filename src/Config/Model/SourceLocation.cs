// Where a configuration element was written: file name and line, for diagnostics.
// Behaviour reference: usr.sbin/smtpd/parse.y (yyerror prints "file:line: message").
namespace Smtpd.Config;

/// <summary>
/// Provenance of a definition. Two configurations that say the same thing are the same configuration
/// wherever they were written, so every location compares equal to every other: that is what lets
/// parse, print, parse yield an equal model although the printed file has different line numbers.
/// </summary>
internal sealed class SourceLocation : IEquatable<SourceLocation>
{
    public static readonly SourceLocation None = new(string.Empty, 0);

    public SourceLocation(string file, int line)
    {
        File = file;
        Line = line;
    }

    public string File { get; }

    public int Line { get; }

    public bool Equals(SourceLocation? other) => other is not null;

    public override bool Equals(object? obj) => obj is SourceLocation;

    // Constant on purpose: equal objects must hash alike, and all locations are equal.
    public override int GetHashCode() => 0;

    public override string ToString() => $"{File}:{Line}";
}
