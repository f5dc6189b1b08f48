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

    // Ids (a message id and an envelope id per message) used to cost a getrandom(2) each; like
    // arc4random, values are handed out from a buffer the kernel fills 64 at a time. Per thread,
    // so no lock; the daemon never forks (it spawns), so no two processes share a buffer.
    [ThreadStatic]
    private static byte[]? t_random;

    [ThreadStatic]
    private static int t_randomUsed;

    /// <summary>A uniformly random 32-bit value.</summary>
    public static uint RandomUInt32()
    {
        byte[] buffer = t_random ??= new byte[256];
        if (t_randomUsed == 0 || t_randomUsed == buffer.Length)
        {
            FillRandom(buffer);
            t_randomUsed = 0;
        }

        uint v = BinaryPrimitives.ReadUInt32LittleEndian(buffer.AsSpan(t_randomUsed));

        // Handed out once: nothing later in this process can read it back from the buffer.
        buffer.AsSpan(t_randomUsed, 4).Clear();
        t_randomUsed += 4;
        return v;
    }
}
