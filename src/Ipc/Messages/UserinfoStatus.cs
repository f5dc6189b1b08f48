// The answer to a userbase lookup (LkaUserinfoReply). Values are wire format.
namespace Smtpd.Ipc.Messages;

internal enum UserinfoStatus : byte
{
    /// <summary>The user's name, ids and home directory follow on the wire.</summary>
    Found = 0,
    NotFound = 1,
    TempFail = 2,
}
