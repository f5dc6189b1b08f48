// Delivers one message into a maildir: creates the maildir (and cur/, new/, tmp/) when missing,
// writes tmp/<unique>, fsyncs it, then renames it into new/ — of the sub-address folder when that
// folder exists, of .Junk when junk filing is on and the header says X-Spam: yes. Pure file work:
// the caller has already become the recipient user.
// Behaviour reference: usr.sbin/smtpd/mail.maildir.c
// Differences: a name already present in new/ is never replaced (a fresh name is taken), the new/
// directory is fsynced before success is reported, and existing folders keep their mode.
using Smtpd.Interop;

namespace Smtpd.Mda;

internal sealed class MaildirDelivery
{
    // One copy buffer per thread: a helper delivers message after message with it.
    [ThreadStatic]
    private static byte[]? t_copyBuffer;

    private const UnixFileMode DirMode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    // mail.maildir's own escape set for folder names: unlike the address set it also covers '/' and '^'.
    private const string SubdirEscaped = "!#$%&'*/?^`{|}~";

    private readonly string _root;
    private readonly bool _junk;
    private readonly string? _subaddress;
    private readonly string _host;

    public MaildirDelivery(string path, bool junk = false, string? subaddress = null, string? hostname = null)
    {
        _root = path.TrimEnd('/');
        _junk = junk;
        _subaddress = subaddress;
        _host = hostname ?? Environment.MachineName;
    }

    /// <summary>Where the last successful delivery put the message (for logs and tests).</summary>
    public string? DeliveredPath { get; private set; }

    public Func<DateTimeOffset> Clock { get; init; } = () => DateTimeOffset.UtcNow;

    public Task<MdaResult> DeliverAsync(Stream message, CancellationToken ct = default) => Task.FromResult(Deliver(message, ct));

    // Synchronous: the helper delivers one message at a time, and async file I/O would only
    // add a thread-pool hop per read and write.
    private MdaResult Deliver(Stream message, CancellationToken ct)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (!Path.IsPathFullyQualified(_root) || _root.Length == 0)
        {
            return MdaResult.PermFail("maildir path must be absolute: " + _root);
        }

        // The maildir is made (with cur/, new/, tmp/) when the first attempt finds it missing:
        // a helper delivers message after message into the same one, and four stat calls per
        // message were a tenth of its system calls.
        string junkDir = _root + "/.Junk";
        if (_junk && !Directory.Exists(junkDir + "/new") && EnsureMaildir(junkDir) is { IsOk: false } junkFailed)
        {
            return junkFailed;
        }

        string dir = _root;
        if (SubFolder() is { } sub && Directory.Exists(sub))
        {
            if (EnsureMaildir(sub) is { IsOk: false } subFailed)
            {
                return subFailed;
            }

            dir = sub;
        }

        var created = CreateTmp(dir, out string name, out string? tmp);
        if (created.File is null && created.Missing)
        {
            var made = EnsureMaildir(_root);
            if (!made.IsOk)
            {
                return made;
            }

            created = CreateTmp(dir, out name, out tmp);
        }

        if (created.File is null)
        {
            return created.Failure;
        }

        // Open until it has its name in new/: an unnamed file is named through its descriptor.
        using (created.File)
        {
            bool isJunk;
            try
            {
                isJunk = Write(message, created.File, ct);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                TryDelete(tmp);
                return MdaResult.TempFail((tmp ?? dir + "/tmp") + ": " + e.Message);
            }
            catch (OperationCanceledException)
            {
                TryDelete(tmp);
                throw;
            }

            return MoveToNew(created.File, tmp, (isJunk && _junk ? junkDir : dir) + "/new", name);
        }
    }

    private string? SubFolder()
    {
        // "user+.@domain" would name "<maildir>/..": the sub-address comes from the sender, so refuse it
        // (mail.maildir does not, and files such mail into the parent directory).
        if (string.IsNullOrEmpty(_subaddress) || _subaddress == ".")
        {
            return null;
        }

        var chars = _subaddress.ToCharArray();
        for (int i = 0; i < chars.Length; i++)
        {
            if (SubdirEscaped.Contains(chars[i], StringComparison.Ordinal))
            {
                chars[i] = ':';
            }
        }

        return _root + "/." + new string(chars);
    }

    // Unnamed files need O_TMPFILE from the filesystem and /proc to name them by descriptor.
    private static bool s_noUnnamedFiles = !Directory.Exists("/proc/self/fd");

    /// <summary>Whether to write an unnamed file where the system can (tests turn it off to reach tmp/&lt;name&gt;).</summary>
    internal bool UnnamedFiles { get; init; } = true;

    // An unnamed file in tmp/ (O_TMPFILE), linked into new/ once written and synced: creating
    // it does not lock tmp/, where concurrent deliveries to one maildir used to queue behind each
    // other's inode allocation (spinning on the directory's lock), it needs no rename, and a
    // delivery that dies leaves nothing behind. Where the filesystem has no O_TMPFILE (or /proc
    // is missing), tmp/<name> with O_CREAT|O_EXCL as mail.maildir does: a name some other
    // delivery is using is skipped, never shared. Missing: tmp/ itself is not there (the maildir
    // is made, then this is tried again). tmp is null for an unnamed file.
    private (SafeFd? File, MdaResult Failure, bool Missing) CreateTmp(string dir, out string name, out string? tmp)
    {
        tmp = null;
        if (UnnamedFiles && !s_noUnnamedFiles)
        {
            Errno u = Posix.TryCreateUnnamed(dir + "/tmp", 0b110_000_000, out SafeFd? unnamed);
            if (u == Errno.None)
            {
                name = MaildirName.Next(Clock(), Environment.ProcessId, _host);
                return (unnamed, MdaResult.Ok, false);
            }

            if (u is not (Errno.EOPNOTSUPP or Errno.EISDIR or Errno.EINVAL))
            {
                name = string.Empty;
                return (null, MdaResult.TempFail(dir + "/tmp: " + Posix.StrError(u)), u == Errno.ENOENT);
            }

            s_noUnnamedFiles = true;
        }

        for (int attempt = 0; ; attempt++)
        {
            name = MaildirName.Next(Clock(), Environment.ProcessId, _host);
            tmp = dir + "/tmp/" + name;
            Errno e = Posix.TryCreateExclusive(tmp, 0b110_000_000, out SafeFd? fd);
            if (e == Errno.None)
            {
                return (fd, MdaResult.Ok, false);
            }

            if (e == Errno.EEXIST && attempt < 5)
            {
                // Taken: the next name differs in its sequence number.
                continue;
            }

            return (null, MdaResult.TempFail(tmp + ": " + Posix.StrError(e)), e == Errno.ENOENT);
        }
    }

    // Writes the message and fsyncs it: the file must be on disk before its name appears in new/.
    // Plain write(2) calls on purpose: the helper delivers one message at a time, and a
    // FileStream would add a lock, a seek and a stat per message.
    private static bool Write(Stream message, SafeFd file, CancellationToken ct)
    {
        var scan = new JunkHeaderScanner();
        var buffer = t_copyBuffer ??= new byte[64 * 1024];
        bool endsWithNewline = true;
        int n;
        while ((n = message.Read(buffer)) > 0)
        {
            ct.ThrowIfCancellationRequested();
            scan.Feed(buffer.AsSpan(0, n));
            Check(Posix.TryWriteAll(file, buffer.AsSpan(0, n)), "write");
            endsWithNewline = buffer[n - 1] == (byte)'\n';
        }

        if (!endsWithNewline)
        {
            Check(Posix.TryWriteAll(file, "\n"u8), "write");
        }

        Check(Posix.TryFsync(file), "fsync");
        return scan.IsJunk;

        static void Check(Errno e, string what)
        {
            if (e != Errno.None)
            {
                throw new IOException(what + ": " + Posix.StrError(e));
            }
        }
    }

    private MdaResult MoveToNew(SafeFd file, string? tmp, string newDir, string name)
    {
        // A rename as mail.maildir does, but never over an existing name: the name (µs, pid,
        // counter) is unique already, and a clash just gets a fresh name.
        bool ensured = false;
        for (int attempt = 0; attempt < 5; attempt++)
        {
            string target = newDir + "/" + (attempt == 0 ? name : MaildirName.Next(Clock(), Environment.ProcessId, _host));
            Errno e = tmp is null ? Posix.TryLinkOpenFile(file, target) : Posix.TryRenameNoReplace(tmp, target);
            if (e == Errno.EEXIST)
            {
                continue;
            }

            if (e == Errno.ENOENT && !ensured && !Directory.Exists(newDir) && (tmp is null || File.Exists(tmp)))
            {
                // new/ went missing (tmp/ was there): make it and try again.
                ensured = true;
                var made = EnsureMaildir(Path.GetDirectoryName(newDir)!);
                if (!made.IsOk)
                {
                    TryDelete(tmp);
                    return made;
                }

                attempt--;
                continue;
            }

            if (e != Errno.None)
            {
                TryDelete(tmp);
                return MdaResult.TempFail("rename into " + newDir + ": " + Posix.StrError(e));
            }

            // The queue forgets the message once we say Ok, so the new directory entry must be durable first.
            var err = Posix.TryFsyncDirectory(newDir);
            if (err != Errno.None)
            {
                return MdaResult.TempFail("fsync " + newDir + ": " + err);
            }

            DeliveredPath = target;
            return MdaResult.Ok;
        }

        TryDelete(tmp);
        return MdaResult.TempFail("could not find a free name in " + newDir);
    }

    private static MdaResult EnsureMaildir(string dir)
    {
        try
        {
            foreach (string sub in (ReadOnlySpan<string>)[dir, dir + "/cur", dir + "/tmp", dir + "/new"])
            {
                if (!Directory.Exists(sub))
                {
                    Directory.CreateDirectory(sub, DirMode);
                }
            }

            return MdaResult.Ok;
        }
        catch (PathTooLongException e)
        {
            return MdaResult.PermFail(dir + ": " + e.Message);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return MdaResult.TempFail(dir + ": " + e.Message);
        }
    }

    private static void TryDelete(string? path)
    {
        if (path is null)
        {
            return;
        }

        try
        {
            File.Delete(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Leftovers in tmp/ are harmless: maildir readers ignore tmp/ and clean it after 36 hours.
        }
    }
}
