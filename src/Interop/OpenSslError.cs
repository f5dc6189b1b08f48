// OpenSSL's thread-local error queue as text: what a failed call reports in logs and in
// `smtpd -n` ("error:0A00018F:SSL routines::ee key too small").
namespace Smtpd.Interop;

internal static unsafe class OpenSslError
{
    /// <summary>Empties the queue, returning its entries joined (or <paramref name="fallback"/> when empty).</summary>
    public static string Drain(string fallback = "unknown error")
    {
        var parts = new List<string>();
        byte* buf = stackalloc byte[256];
        ulong e;
        while ((e = LibCrypto.ErrGetError()) != 0)
        {
            LibCrypto.ErrErrorStringN(e, buf, 256);
            parts.Add(OpenSslText.Of(buf));
        }

        return parts.Count > 0 ? string.Join("; ", parts) : fallback;
    }

    /// <summary>Only the reason of the queue's first entry ("ee key too small"), the queue emptied.</summary>
    public static string DrainReason(string fallback = "unknown error")
    {
        ulong e = LibCrypto.ErrGetError();
        string reason = e == 0 ? fallback : (LibCrypto.ErrReasonErrorString(e) is var r && r != null ? OpenSslText.Of(r) : Drain(fallback));
        LibCrypto.ErrClearError();
        return reason;
    }

    /// <summary>The queue's first entry in full ("error:0A00010B:SSL routines::wrong version number"), the queue emptied.</summary>
    public static string DrainFirst(string fallback)
    {
        ulong e = LibCrypto.ErrGetError();
        string text = fallback;
        if (e != 0)
        {
            byte* buf = stackalloc byte[256];
            LibCrypto.ErrErrorStringN(e, buf, 256);
            text = OpenSslText.Of(buf);
        }

        LibCrypto.ErrClearError();
        return text;
    }

    public static void Clear() => LibCrypto.ErrClearError();
}

internal static unsafe class OpenSslText
{
    /// <summary>A C string OpenSSL owns, as text ("" for NULL).</summary>
    public static string Of(byte* s) => s == null ? string.Empty : System.Runtime.InteropServices.Marshal.PtrToStringUTF8((nint)s) ?? string.Empty;
}
