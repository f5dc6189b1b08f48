// Random bytes from the kernel, blocking only until the pool is first initialised (at boot).
using System.Buffers.Binary;

namespace Smtpd.Interop;

internal static partial class Posix
{
    /// <summary>Fills <paramref name="buffer"/> from getrandom(2), retrying short reads and EINTR.</summary>
    public static unsafe void FillRandom(Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            int done = 0;
            while (done < buffer.Length)
            {
                nint n = Libc.GetRandom(p + done, (nuint)(buffer.Length - done), 0);
                if (n < 0)
                {
                    Errno e = LastErrno();
                    if (e == Errno.EINTR)
                    {
                        continue;
                    }

                    throw new PosixException((int)e, "getrandom");
                }

                done += (int)n;
            }
        }
    }

    /// <summary>A uniformly random 32-bit value.</summary>
    public static uint RandomUInt32()
    {
        Span<byte> b = stackalloc byte[4];
        FillRandom(b);
        return BinaryPrimitives.ReadUInt32LittleEndian(b);
    }
}
