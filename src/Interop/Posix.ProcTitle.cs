// Process titles: rewrite the argv area ps(1) shows, and the kernel's short thread name.
namespace Smtpd.Interop;

internal static partial class Posix
{
    /// <summary>
    /// Makes ps show <paramref name="title"/>. The argv area's length is read from
    /// /proc/self/cmdline, which must still be reachable (call before chroot).
    /// </summary>
    public static unsafe bool SetProcessTitle(string title)
    {
        SetThreadName(title);
        byte* area = Libc.ArgvArea();
        if (area == null)
        {
            return false;
        }

        int length;
        try
        {
            length = File.ReadAllBytes("/proc/self/cmdline").Length;
        }
        catch (IOException)
        {
            return false;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }

        if (length < 2)
        {
            return false;
        }

        var dest = new Span<byte>(area, length);
        dest.Clear();
        int n = System.Text.Encoding.UTF8.GetBytes(title.AsSpan(0, Math.Min(title.Length, length - 1)), dest);
        dest[n] = 0;
        return true;
    }
}
