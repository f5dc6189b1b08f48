// Descriptor reads and writes that report errno instead of throwing, and loop over short
// transfers and EINTR so callers see either "all done" or the real error.
using Tmds.Linux;

namespace Smtpd.Interop;

internal static partial class Posix
{
    /// <summary>Writes all of <paramref name="data"/>; a write(2) that returns 0 (no progress, no errno) is reported as EIO.</summary>
    public static unsafe Errno TryWriteAll(SafeFd fd, ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            int done = 0;
            while (done < data.Length)
            {
                long n = LibC.write(fd.Fd, p + done, data.Length - done);
                if (n < 0)
                {
                    Errno e = LastErrno();
                    if (e == Errno.EINTR)
                    {
                        continue;
                    }

                    return e;
                }

                if (n == 0)
                {
                    return Errno.EIO;
                }

                done += (int)n;
            }
        }

        return Errno.None;
    }

    /// <summary>One read(2), retried on EINTR; <paramref name="count"/> is 0 at end of file.</summary>
    public static unsafe Errno TryRead(SafeFd fd, Span<byte> buffer, out int count)
    {
        fixed (byte* p = buffer)
        {
            while (true)
            {
                long n = LibC.read(fd.Fd, p, buffer.Length);
                if (n >= 0)
                {
                    count = (int)n;
                    return Errno.None;
                }

                Errno e = LastErrno();
                if (e != Errno.EINTR)
                {
                    count = 0;
                    return e;
                }
            }
        }
    }

    /// <summary>lseek(2) to an absolute offset.</summary>
    public static Errno TrySeek(SafeFd fd, long offset) =>
        LibC.lseek(fd.Fd, offset, LibC.SEEK_SET) < 0 ? LastErrno() : Errno.None;

    /// <summary>ftruncate(2): cuts (or extends) the file to <paramref name="length"/> bytes.</summary>
    public static Errno TryTruncate(SafeFd fd, long length) =>
        LibC.ftruncate(fd.Fd, length) < 0 ? LastErrno() : Errno.None;

    /// <summary>truncate(2): sets the length of the file at <paramref name="path"/>.</summary>
    public static unsafe Errno TryTruncate(string path, long length)
    {
        fixed (byte* p = CString.Of(path))
        {
            return LibC.truncate(p, length) < 0 ? LastErrno() : Errno.None;
        }
    }
}
