// The "<mbox>.lock" file that mail readers and mail.local agree means "mailbox busy" (liblockfile's
// convention on Debian): created atomically, holding our pid, removed on release. A lock older than
// five minutes is stale and removed, as lockfile_check does; with CheckPid, so is one whose
// process is gone (only right when the spool is not shared between hosts).
// Behaviour reference: OpenBSD mail.local locking.c; liblockfile lockfile_create/lockfile_check.
// Difference: liblockfile links a unique temporary file to the lock name (safe on NFSv2); .NET 9
// has no link(2) and File.Move renames, so the lock is created with O_CREAT|O_EXCL (FileMode.CreateNew)
// as OpenBSD's mail.local does — atomic on local file systems and NFSv3 or later.
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;
using Smtpd.Interop;

namespace Smtpd.Mda;

internal sealed class DotLock : IDisposable
{
    public static readonly TimeSpan DefaultStaleAfter = TimeSpan.FromMinutes(5);

    private string? _path;

    private DotLock(string path) => _path = path;

    public static DotLockStatus TryAcquire(string lockPath, bool checkPid, TimeSpan staleAfter, out DotLock? dotLock, out string reason)
    {
        dotLock = null;
        reason = "";
        for (int round = 0; round < 2; round++)
        {
            try
            {
                var options = new FileStreamOptions
                {
                    Mode = FileMode.CreateNew,
                    Access = FileAccess.Write,
                    Share = FileShare.ReadWrite,
                    UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                };
                using (var fs = new FileStream(lockPath, options))
                {
                    fs.Write(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Environment.ProcessId}\n")));
                }

                dotLock = new DotLock(lockPath);
                return DotLockStatus.Acquired;
            }
            catch (UnauthorizedAccessException e)
            {
                reason = lockPath + ": " + e.Message;
                return DotLockStatus.NotPermitted;
            }
            catch (IOException e) when (Posix.TryLStat(lockPath) is not null)
            {
                reason = lockPath + ": " + e.Message;
                if (!IsStale(lockPath, checkPid, staleAfter))
                {
                    return DotLockStatus.Busy;
                }

                // A dead holder's lock: remove it and try once more straight away, as liblockfile does.
                // Two removers could race here; our own deliveries cannot, as they hold the mailbox's
                // kernel locks before they come to the dot-lock.
                TryDelete(lockPath);
            }
            catch (IOException e)
            {
                reason = lockPath + ": " + e.Message;
                return DotLockStatus.Failed;
            }
        }

        return DotLockStatus.Busy;
    }

    /// <summary>lockfile_check: valid while its process lives (with CheckPid) or while it is younger than staleAfter.</summary>
    public static bool IsStale(string lockPath, bool checkPid, TimeSpan staleAfter)
    {
        DateTime written;
        int pid = 0;
        try
        {
            written = File.GetLastWriteTimeUtc(lockPath);
            if (checkPid)
            {
                var head = new byte[16];
                int n;
                using (var fs = new FileStream(lockPath, FileMode.Open, FileAccess.Read, FileShare.ReadWrite))
                {
                    n = fs.Read(head);
                }

                pid = LeadingNumber(head.AsSpan(0, n));
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Gone or unreadable in the meantime: let the next attempt find out.
            return false;
        }

        if (pid > 0)
        {
            if (Posix.Kill(pid, 0))
            {
                return false;
            }

            var err = (Errno)Marshal.GetLastPInvokeError();
            if (err == Errno.EPERM)
            {
                return false;
            }

            if (err == Errno.ESRCH)
            {
                return true;
            }
        }

        return DateTime.UtcNow >= written + staleAfter;
    }

    public void Dispose()
    {
        if (_path is not null)
        {
            TryDelete(_path);
            _path = null;
        }
    }

    // atoi: optional blanks and sign, then digits; anything else ends the number.
    private static int LeadingNumber(ReadOnlySpan<byte> text)
    {
        int i = 0;
        while (i < text.Length && text[i] is (byte)' ' or (byte)'\t')
        {
            i++;
        }

        long value = 0;
        for (; i < text.Length && text[i] is >= (byte)'0' and <= (byte)'9'; i++)
        {
            value = Math.Min(value * 10 + (text[i] - '0'), int.MaxValue);
        }

        return (int)value;
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing more to do: a lock we cannot remove goes stale after five minutes.
        }
    }
}
