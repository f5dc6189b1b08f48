// A failed system call where the caller cannot go on (OpenSMTPD would call fatal()).
// Message follows log_warn's "call: strerror" shape.
namespace Smtpd.Interop;

internal sealed class PosixException : Exception
{
    public PosixException(int errno, string call)
        : base(call + ": " + Posix.StrError(errno))
    {
        Errno = (Errno)errno;
        Call = call;
    }

    public PosixException()
        : base("system call failed")
    {
        Call = string.Empty;
    }

    public PosixException(string message)
        : base(message)
    {
        Call = string.Empty;
    }

    public PosixException(string message, Exception innerException)
        : base(message, innerException)
    {
        Call = string.Empty;
    }

    public Errno Errno { get; }

    public string Call { get; }

    /// <summary>Throws for the errno the last P/Invoke left behind.</summary>
    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    public static void ThrowLast(string call) =>
        throw new PosixException(System.Runtime.InteropServices.Marshal.GetLastPInvokeError(), call);
}
