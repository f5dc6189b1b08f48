// The verdict on an AUTH attempt (LkaAuthenticateReply). Values are wire format.
namespace Smtpd.Ipc.Messages;

internal enum AuthStatus : byte
{
    Ok = 0,

    /// <summary>Unknown user or wrong password.</summary>
    Fail = 1,

    /// <summary>No table to ask, or it could not answer.</summary>
    TempFail = 2,
}
