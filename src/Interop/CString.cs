// NUL-terminated UTF-8 for the char* parameters of Tmds.LibC's declarations, which take byte*
// where our own LibraryImports let the marshaller do this.
using System.Text;

namespace Smtpd.Interop;

internal static class CString
{
    /// <summary>The UTF-8 bytes of <paramref name="s"/> and a terminating NUL, ready to pin.</summary>
    public static byte[] Of(string s)
    {
        byte[] b = new byte[Encoding.UTF8.GetByteCount(s) + 1];
        Encoding.UTF8.GetBytes(s, b);
        return b;
    }
}
