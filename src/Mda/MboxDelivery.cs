// Appends one message to a user's mbox the way mail.local does, with the locks Debian's mail
// readers take (fcntl and flock on the mailbox, plus the "<mbox>.lock" dot-lock), all tried without
// blocking; a mailbox that stays locked, or any write error, is a temporary failure and the mailbox
// is cut back to its old size so no half message is left behind.
// Behaviour reference: usr.sbin/smtpd/mda_mbox.c, OpenBSD mail.local (deliver), liblockfile.
// Runs as the delivery user; the parent creates a missing /var/mail/<user> beforehand (MboxSpool).
using Microsoft.Win32.SafeHandles;
using Smtpd.Interop;

namespace Smtpd.Mda;

internal sealed class MboxDelivery
{
    private const Errno Enxio = (Errno)6;

    private readonly string _path;
    private readonly MboxLockOptions _options;

    public MboxDelivery(string path, MboxLockOptions? options = null)
    {
        _path = path;
        _options = options ?? new MboxLockOptions();
    }

    /// <summary>Appends <paramref name="message"/> (LF line ends, as spooled) from <paramref name="sender"/> ("" for &lt;&gt;).</summary>
    public async Task<MdaResult> DeliverAsync(Stream message, string sender, DateTimeOffset date, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(message);
        ArgumentNullException.ThrowIfNull(sender);
        var opened = OpenMailbox(out SafeFd? fd);
        if (!opened.IsOk)
        {
            return opened;
        }

        using (fd)
        {
            using var handle = new SafeFileHandle(fd!.Fd, ownsHandle: false);
            await using var file = new FileStream(handle, FileAccess.Write, bufferSize: 0);
            var (locked, dotLock) = await LockAsync(file, fd, ct);
            if (!locked.IsOk)
            {
                return locked;
            }

            try
            {
                return await AppendAsync(file, message, sender, date, ct);
            }
            finally
            {
                dotLock?.Dispose();
                Posix.Unlock(fd);
                file.Unlock(0, 0);
            }
        }
    }

    // Refuses symbolic links, hard-linked and special files (a user must not be able to make us write
    // elsewhere); creates a missing mailbox 0600. The checks are made on the descriptor opened, not
    // on the name before opening it, so nothing swapped in between can slip through; O_NONBLOCK keeps
    // a FIFO from holding the delivery up until fstat refuses it. As root (root's own mailbox), the
    // file must be root's too: nobody else's file is appended to with root's rights.
    private MdaResult OpenMailbox(out SafeFd? fd)
    {
        fd = null;
        for (int round = 0; round < 3; round++)
        {
            try
            {
                fd = Posix.Open(_path, Libc.O_WRONLY | Libc.O_APPEND | Libc.O_CREAT | Libc.O_EXCL | Libc.O_NOFOLLOW | Libc.O_NONBLOCK, 0x180);
                return MdaResult.Ok;
            }
            catch (PosixException e) when (e.Errno == Errno.EEXIST)
            {
                // There already: open what is there, then look at what was opened.
            }
            catch (PosixException e)
            {
                return MdaResult.TempFail(e.Message);
            }

            try
            {
                fd = Posix.Open(_path, Libc.O_WRONLY | Libc.O_APPEND | Libc.O_NOFOLLOW | Libc.O_NONBLOCK);
            }
            catch (PosixException e) when (e.Errno == Errno.ENOENT)
            {
                // Removed between the two opens: try creating it again.
                continue;
            }
            catch (PosixException e)
            {
                return MdaResult.TempFail(e.Errno is Errno.ELOOP or Enxio ? _path + ": linked or special file" : e.Message);
            }

            if (Posix.TryStatus(fd, out var st) != Errno.None || !st.IsRegular || st.Nlink != 1 || (Posix.IsRoot && st.Uid != 0))
            {
                fd.Dispose();
                fd = null;
                return MdaResult.TempFail(_path + ": linked or special file");
            }

            return MdaResult.Ok;
        }

        return MdaResult.TempFail(_path + ": keeps changing under us");
    }

    // Debian policy order: kernel locks first, then the dot-lock; every step non-blocking, everything
    // released before waiting, so two programs locking in another order cannot deadlock.
    private async Task<(MdaResult Result, DotLock? DotLock)> LockAsync(FileStream file, SafeFd fd, CancellationToken ct)
    {
        string why = "mailbox is locked";
        for (int attempt = 0; attempt < Math.Max(1, _options.Attempts); attempt++)
        {
            if (attempt > 0)
            {
                await Task.Delay(_options.RetryDelay, ct);
            }

            try
            {
                // fcntl(F_SETLK) over the whole file: what mutt, procmail and Dovecot check.
                file.Lock(0, 0);
            }
            catch (IOException e)
            {
                why = "fcntl lock: " + e.Message;
                continue;
            }

            if (!Posix.TryFlock(fd, exclusive: true, wait: false, out var err))
            {
                file.Unlock(0, 0);
                why = "flock: " + err;
                continue;
            }

            switch (DotLock.TryAcquire(_path + ".lock", _options.CheckPid, _options.StaleAfter, out var dotLock, out string reason))
            {
                case DotLockStatus.Acquired:
                    return (MdaResult.Ok, dotLock);
                case DotLockStatus.NotPermitted when _options.DotLockMayFail:
                    return (MdaResult.Ok, null);
                case DotLockStatus.Busy:
                    why = "dot-lock held: " + reason;
                    break;
                default:
                    Posix.Unlock(fd);
                    file.Unlock(0, 0);
                    return (MdaResult.TempFail(reason), null);
            }

            Posix.Unlock(fd);
            file.Unlock(0, 0);
        }

        return (MdaResult.TempFail(why), null);
    }

    private static async Task<MdaResult> AppendAsync(FileStream file, Stream message, string sender, DateTimeOffset date, CancellationToken ct)
    {
        long start = file.Seek(0, SeekOrigin.End);
        try
        {
            await file.WriteAsync(MboxFormat.SeparatorLine(sender, date), ct);
            var format = new MboxFormat();
            var input = new byte[64 * 1024];
            var output = new byte[MboxFormat.MaxOutput(input.Length)];
            int n;
            while ((n = await message.ReadAsync(input, ct)) > 0)
            {
                int o = format.Quote(input.AsSpan(0, n), output);
                await file.WriteAsync(output.AsMemory(0, o), ct);
            }

            int tail = format.Finish(output);
            await file.WriteAsync(output.AsMemory(0, tail), ct);

            // The queue drops the message once we report Ok: it has to be on disk first.
            file.Flush(flushToDisk: true);
            return MdaResult.Ok;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or OperationCanceledException)
        {
            Truncate(file, start);
            return MdaResult.TempFail(e.Message);
        }
    }

    // Whatever part of the message made it in is cut off again, as mail.local's ftruncate does.
    private static void Truncate(FileStream file, long length)
    {
        try
        {
            file.SetLength(length);
            file.Flush(flushToDisk: true);
        }
        catch (IOException)
        {
            // The disk that failed the write may fail this too; the mbox then ends in a partial message.
        }
    }
}
