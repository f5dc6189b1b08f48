// The lookup agent's verdict on one RCPT TO (LkaExpandReply). Values are wire format.
// Behaviour reference: usr.sbin/smtpd/smtpd.h (LKA_OK, LKA_PERMFAIL, LKA_TEMPFAIL).
namespace Smtpd.Ipc.Messages;

internal enum ExpandStatus : byte
{
    /// <summary>One delivery per final destination follows.</summary>
    Accepted = 0,
    Rejected = 1,
    TempFail = 2,
}
