// What statx says about a path that the daemon's checks care about (owner, mode, links).
namespace Smtpd.Interop;

internal readonly record struct FileStatus(uint Uid, uint Gid, uint Mode, uint Nlink, ulong Size)
{
    public bool IsRegular => (Mode & 0xF000) == 0x8000;

    public bool IsDirectory => (Mode & 0xF000) == 0x4000;

    public bool IsSocket => (Mode & 0xF000) == 0xC000;
}
