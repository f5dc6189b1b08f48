// The parent opens users' ~/.forward files for the lookup agent, which may not read home
// directories: only a regular file, not a link, owned by the user, not writable by others, in a
// home that is not sticky and whose path up to it nobody else can change.
// Behaviour reference: usr.sbin/smtpd/smtpd.c parent_forward_open(), util.c secure_file().
using Smtpd.Interop;
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;

namespace Smtpd.Parent;

internal static class ParentForward
{
    private const uint StickyBit = 0x200;
    private const uint GroupOrWorldWritable = 0x12; // 022
    private const Errno Enfile = (Errno)23;

    public static void Reply(ImsgChannel lka, LkaOpenForward req)
    {
        var (errno, fd) = Open(req.Directory, req.Uid);
        ForwardStatus status = errno switch
        {
            Errno.None or Errno.ENOENT => ForwardStatus.Ok,
            Errno.EAGAIN => ForwardStatus.TryLater,
            _ => ForwardStatus.Refused,
        };
        // The channel owns the descriptor from here and closes it once sent.
        lka.Post(new LkaOpenForwardReply(req.ReqId, status), fd: fd);
    }

    /// <summary>The open ~/.forward, or why not: ENOENT none, EAGAIN try later, anything else refused.</summary>
    public static (Errno, SafeFd?) Open(string directory, uint uid)
    {
        string path = directory.TrimEnd('/') + "/.forward";
        if (Posix.TryStatusFollow(directory, out var home) is var herr && herr != Errno.None)
        {
            Log.Warn($"warn: smtpd: parent_forward_open: {directory}: {Posix.StrError(herr)}");
            // As OpenSMTPD: a user without a home has no .forward (ENOENT), and gets the mail.
            return (herr, null);
        }

        if ((home.Mode & StickyBit) != 0)
        {
            Log.Warn($"warn: smtpd: parent_forward_open: {directory} is sticky");
            return (Errno.EAGAIN, null);
        }

        var err = Posix.TryOpenReadNonBlocking(path, out var fd);
        if (err != Errno.None)
        {
            if (err == Errno.ENOENT)
            {
                return (err, null);
            }

            if (err is Errno.EMFILE or Enfile or Errno.EIO)
            {
                return (Errno.EAGAIN, null);
            }

            Log.Warn(err == Errno.ELOOP
                ? $"warn: smtpd: parent_forward_open: {path}: cannot follow symbolic links"
                : $"warn: smtpd: parent_forward_open: {path}: {Posix.StrError(err)}");
            return (err, null);
        }

        if (!IsSecure(fd!, path, directory, uid))
        {
            Log.Warn($"warn: smtpd: {path}: insecure file");
            fd!.Dispose();
            return (Errno.EPERM, null);
        }

        return (Errno.None, fd);
    }

    /// <summary>The open file, then each directory above it up to the home, owned by the user or root and not group/world writable.</summary>
    private static bool IsSecure(SafeFd fd, string path, string directory, uint uid)
    {
        if (Posix.TryStatus(fd, out var st) != Errno.None || !st.IsRegular || st.Uid != uid || (st.Mode & GroupOrWorldWritable) != 0)
        {
            return false;
        }

        string canonical, home;
        try
        {
            canonical = Path.GetFullPath(ResolveLinks(path));
            home = Path.GetFullPath(ResolveLinks(directory)).TrimEnd('/');
        }
        catch (IOException)
        {
            return false;
        }

        for (string? dir = Path.GetDirectoryName(canonical); dir is not null; dir = Path.GetDirectoryName(dir))
        {
            if (Posix.TryStatusFollow(dir, out var d) != Errno.None || (d.Uid != 0 && d.Uid != uid) || (d.Mode & GroupOrWorldWritable) != 0)
            {
                return false;
            }

            if (dir == home || dir == "/")
            {
                break;
            }
        }

        return true;
    }

    /// <summary>realpath(3) of the directories (the file itself was opened refusing links).</summary>
    private static string ResolveLinks(string path, int hops = 0)
    {
        // As the kernel's ELOOP: a chain this long is a loop, and the file is not trusted.
        if (hops > 40)
        {
            throw new IOException("too many levels of symbolic links");
        }

        var info = new DirectoryInfo(path);
        if (info.Parent is not { } up)
        {
            return "/";
        }

        string parent = ResolveLinks(up.FullName, hops + 1);
        string joined = Path.Combine(parent, info.Name);
        return new FileInfo(joined).LinkTarget is { } target ? ResolveLinks(Path.GetFullPath(target, parent), hops + 1) : joined;
    }
}
