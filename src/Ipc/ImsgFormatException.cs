// A peer sent bytes that do not decode: a broken invariant, fatal for the receiving role.
namespace Smtpd.Ipc;

internal sealed class ImsgFormatException : Exception
{
    public ImsgFormatException()
    {
    }

    public ImsgFormatException(string message)
        : base(message)
    {
    }

    public ImsgFormatException(string message, Exception innerException)
        : base(message, innerException)
    {
    }
}
