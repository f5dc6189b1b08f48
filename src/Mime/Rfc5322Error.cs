// Why the message parser refused a call or stopped (the errno values rfc5322.c sets).
// Behaviour reference: usr.sbin/smtpd/rfc5322.c
namespace Smtpd.Mime;

internal enum Rfc5322Error
{
    None,

    /// <summary>A line was pushed while the previous one was still unread (EALREADY).</summary>
    LinePending,

    /// <summary>Unfolding was asked for twice, or not right after a HeaderStart (EALREADY, EOPNOTSUPP).</summary>
    CannotUnfold,

    /// <summary>After the header fields came a line that is neither empty nor the end (EINVAL).</summary>
    Malformed,

    /// <summary>A field name or an unfolded value outgrew its limit (ERANGE).</summary>
    TooLong,

    /// <summary>Next was called after EndOfMessage (ENOMSG).</summary>
    AfterEnd,
}
