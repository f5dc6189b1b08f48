// A user as getpwnam_r returns it, copied out of libc's buffer.
namespace Smtpd.Interop;

internal sealed record PasswdEntry(string Name, uint Uid, uint Gid, string Directory, string Shell);
