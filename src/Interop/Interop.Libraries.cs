// The one place that names the native library every declaration in Interop/ binds to.
namespace Smtpd.Interop;

internal static partial class Libc
{
    /// <summary>glibc; "libc" resolves to libc.so.6 through the loader's usual search.</summary>
    internal const string Name = "libc";
}
