// A user as getpwnam_r returns it, copied out of libc's buffer.
namespace Smtpd.Interop;

internal sealed record PasswdEntry(string Name, uint Uid, uint Gid, string Directory, string Shell)
{
    /// <summary>The GECOS field (full name, office, ...), empty when unknown; sendmail's default From name.</summary>
    public string Gecos { get; init; } = string.Empty;
}
