// Thrown by the parser after it reported a syntax error, to abandon the current statement.
// Behaviour reference: usr.sbin/smtpd/parse.y (the "error '\n'" rule resumes at the next line).
namespace Smtpd.Config;

/// <summary>Only ever thrown and caught inside <see cref="Parser"/>: the error is already recorded,
/// and the statement loop skips to the next line, so one run reports every broken statement.</summary>
internal sealed class ParseAbort : Exception
{
    public ParseAbort()
    {
    }

    public ParseAbort(string message)
        : base(message)
    {
    }

    public ParseAbort(string message, Exception inner)
        : base(message, inner)
    {
    }
}
