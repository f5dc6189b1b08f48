// The parent's answer to "open this user's ~/.forward" (LkaOpenForwardReply). Values are wire
// format, and OpenSMTPD's forward_req ones. Behaviour reference: usr.sbin/smtpd/smtpd.c.
namespace Smtpd.Ipc.Messages;

internal enum ForwardStatus
{
    /// <summary>Try again later.</summary>
    TryLater = -1,

    /// <summary>Refused (permanent).</summary>
    Refused = 0,

    /// <summary>Opened, or there is no file: deliver normally.</summary>
    Ok = 1,
}
