// Reads an :include: file for alias expansion. The lookup agent answers every session from one
// loop, so a file that blocks or never ends would stall all expansion: it is opened without
// blocking (a FIFO answers nothing at once, and is refused), it must be a regular file, and one
// larger than MaxBytes is refused rather than read. (OpenSMTPD reads it with fopen and no limit.)
using Smtpd.Interop;

namespace Smtpd.Lka;

internal static class IncludeFile
{
    /// <summary>Far more than any list needs (some 100,000 addresses).</summary>
    public const int MaxBytes = 4 * 1024 * 1024;

    /// <summary>The file's text, or null with <paramref name="error"/> saying why not.</summary>
    public static string? Read(string path, out string error)
    {
        error = string.Empty;
        SafeFd fd;
        try
        {
            fd = Posix.Open(path, Libc.O_RDONLY | Libc.O_NONBLOCK);
        }
        catch (PosixException e)
        {
            error = e.Message;
            return null;
        }

        using (fd)
        {
            if (Posix.TryStatus(fd, out var st) is var err && err != Errno.None)
            {
                error = Posix.StrError(err);
                return null;
            }

            if (!st.IsRegular)
            {
                error = "not a regular file";
                return null;
            }

            if (st.Size > MaxBytes)
            {
                error = $"larger than {MaxBytes} bytes";
                return null;
            }

            using var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(fd.Fd, ownsHandle: false);
            using var stream = new FileStream(handle, FileAccess.Read, bufferSize: 0);
            // The file may have grown since fstat: never read past the limit.
            using var content = new MemoryStream((int)st.Size);
            var chunk = new byte[64 * 1024];
            int n;
            while ((n = stream.Read(chunk)) > 0)
            {
                if (content.Length + n > MaxBytes)
                {
                    error = $"larger than {MaxBytes} bytes";
                    return null;
                }

                content.Write(chunk, 0, n);
            }

            content.Position = 0;
            using var reader = new StreamReader(content, System.Text.Encoding.UTF8, detectEncodingFromByteOrderMarks: true);
            return reader.ReadToEnd();
        }
    }
}
