// The spool's floor of free space: below it the queue takes no new message (the client hears a
// temporary failure at MAIL FROM and retries), so mail is refused before it can be half-written
// rather than lost or acknowledged on a full disk. Postfix does the same with queue_minfree and
// 1.5 times message_size_limit; OpenSMTPD has no such check. The floor is 1.5 times
// `smtp max-message-size` (so one message of the largest size still fits with room to spare),
// and a few hundred inodes for its envelopes. A full file system is logged once when it happens
// and once when room comes back, not once per client.
using Smtpd.Interop;
using Smtpd.Runtime;

namespace Smtpd.Queue;

internal sealed class QueueSpaceGuard
{
    /// <summary>smtpd.conf's default max-message-size (SmtpListenerOptions.DefaultMaxMessageSize; the queue does not reference the smtp side).</summary>
    public const long DefaultMaxMessageSize = 35L * 1024 * 1024;

    /// <summary>Inodes left for the envelopes of a new message and its bounces.</summary>
    public const ulong MinFreeInodes = 256;

    private readonly string _path;
    private readonly Func<string, (ulong AvailableBytes, ulong AvailableInodes)> _probe;
    private bool _short;

    public QueueSpaceGuard(string path, long maxMessageSize, Func<string, (ulong AvailableBytes, ulong AvailableInodes)>? probe = null)
    {
        _path = path;
        MinFreeBytes = (ulong)Math.Max(0, maxMessageSize) / 2 * 3;
        _probe = probe ?? Posix.FileSystemSpace;
    }

    public ulong MinFreeBytes { get; }

    /// <summary>Whether a new message may be accepted now. An unanswerable statvfs never refuses mail (the writes themselves still fail safely).</summary>
    public bool HasRoom()
    {
        (ulong bytes, ulong inodes) space;
        try
        {
            space = _probe(_path);
        }
        catch (PosixException e)
        {
            Log.Debug($"debug: queue: cannot measure the spool's free space: {e.Message}");
            return true;
        }

        // Some file systems report no inode counts at all (0 files): only bytes count there.
        bool room = space.bytes >= MinFreeBytes && (space.inodes >= MinFreeInodes || space.inodes == 0 && space.bytes > 0);
        if (!room && !_short)
        {
            Log.Warn($"warn: queue: spool file system short of space ({space.bytes / 1024} KiB, {space.inodes} inodes free; the floor is {MinFreeBytes / 1024} KiB, 1.5 x max-message-size, and {MinFreeInodes} inodes): new messages are deferred with a temporary failure");
        }
        else if (room && _short)
        {
            Log.Info($"info: queue: spool file system has room again ({space.bytes / 1024} KiB free): accepting new messages");
        }

        _short = !room;
        return room;
    }
}
