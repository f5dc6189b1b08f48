// How a delivery helper delivers (MdaJob.Method). Values are wire format.
namespace Smtpd.Ipc.Messages;

internal enum MdaMethod : byte
{
    Mbox = 0,
    Maildir = 1,

    /// <summary>An mda command (the action's, or a |command from an alias or .forward).</summary>
    Command = 2,
    Lmtp = 3,
}
