// Owns one file descriptor. Invalid is -1: descriptor 0 is a real descriptor (stdin).
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal sealed class SafeFd : SafeHandle
{
    public SafeFd()
        : base(-1, ownsHandle: true)
    {
    }

    public SafeFd(int fd, bool ownsHandle = true)
        : base(-1, ownsHandle)
    {
        SetHandle(fd);
    }

    public override bool IsInvalid => handle < 0;

    /// <summary>The raw descriptor number, for system calls and log lines.</summary>
    public int Fd => (int)handle;

    /// <summary>Gives up ownership: the caller now closes the descriptor (e.g. it was passed away).</summary>
    public int Release()
    {
        int fd = (int)handle;
        SetHandleAsInvalid();
        return fd;
    }

    protected override bool ReleaseHandle() => Tmds.Linux.LibC.close((int)handle) == 0;
}
