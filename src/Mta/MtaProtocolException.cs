// A session with a peer cannot go on: the connection dropped, timed out, or the peer said
// something that is not SMTP. The message is the reason as OpenSMTPD logs it.
namespace Smtpd.Mta;

internal sealed class MtaProtocolException : Exception
{
    public MtaProtocolException(string message)
        : base(message)
    {
    }

    public MtaProtocolException()
    {
    }

    public MtaProtocolException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
