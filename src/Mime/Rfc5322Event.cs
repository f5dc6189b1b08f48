// What the message parser saw on its last step; the values keep rfc5322.h's order.
// Behaviour reference: usr.sbin/smtpd/rfc5322.h
namespace Smtpd.Mime;

internal enum Rfc5322Event
{
    /// <summary>The parser stopped; <see cref="Rfc5322Parser.Error"/> says why. Sticky.</summary>
    Error = -1,

    /// <summary>Push the next line (or the end of the message) and call Next again.</summary>
    None = 0,

    /// <summary>A header field begins: Name is set, Value is everything after the colon.</summary>
    HeaderStart,

    /// <summary>A folded line of the current field, leading whitespace included.</summary>
    HeaderContinuation,

    /// <summary>The current field ended; Value holds the unfolded value when asked for, else is empty.</summary>
    HeaderEnd,

    /// <summary>No more header fields; the line that ended them has not been consumed yet.</summary>
    EndOfHeaders,

    /// <summary>The empty line between header and body.</summary>
    BodyStart,

    /// <summary>One body line.</summary>
    Body,

    /// <summary>The end of the message was pushed and everything before it was reported.</summary>
    EndOfMessage,
}
