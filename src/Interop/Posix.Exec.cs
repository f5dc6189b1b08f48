// Replacing the current process image (execve). Returns only on failure, as an exception.
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static partial class Posix
{
    /// <summary>Runs <paramref name="path"/> in place of this process; throws if it could not.</summary>
    public static unsafe void Exec(string path, IReadOnlyList<string> argv, IReadOnlyList<string> env)
    {
        var natives = new List<nint>();
        try
        {
            byte* cpath = Utf8(path, natives);
            byte** cargv = StringArray(argv, natives);
            byte** cenv = StringArray(env, natives);
            _ = Libc.Execve(cpath, cargv, cenv);
            PosixException.ThrowLast("execve " + path);
        }
        finally
        {
            foreach (nint p in natives)
            {
                NativeMemory.Free((void*)p);
            }
        }
    }
}
