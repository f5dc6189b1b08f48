// A Berkeley DB file opened through libdb's 1.85 interface: keys and values are stored with
// their terminating NUL, as OpenSMTPD's makemap writes them and table_db reads them.
// Behaviour reference: usr.sbin/smtpd/table_db.c, makemap.c.
using System.Text;
using Smtpd.Interop;

namespace Smtpd.Tables;

internal sealed class DbFile : IDisposable
{
    private readonly Db185 _db;

    private DbFile(Db185 db) => _db = db;

    /// <summary>Opens <paramref name="path"/>; throws IOException (with errno text) when libdb cannot.</summary>
    public static DbFile Open(string path, bool write, bool btree = false)
    {
        Errno errno;
        Db185? db;
        try
        {
            errno = Db185.TryOpen(path, write, btree, out db);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new IOException($"{path}: Berkeley DB library {Db185.LibraryName} is not installed");
        }

        if (db is null)
        {
            throw new IOException($"{path}: {(errno == Errno.None ? "not a Berkeley DB hash file" : Posix.StrError(errno))}");
        }

        return new DbFile(db);
    }

    /// <summary>The value stored under <paramref name="key"/> (without its NUL), or null.</summary>
    public string? Get(string key) => _db.Get(Encode(key)) is { } value ? Decode(value) : null;

    /// <summary>Stores an entry; false when the key was already present (nothing is overwritten).</summary>
    public bool Add(string key, string value)
    {
        if (Get(key) is not null)
        {
            return false;
        }

        _db.Put(Encode(key), Encode(value));
        return true;
    }

    /// <summary>Every entry in the file's own order.</summary>
    public List<(string Key, string Value)> ReadAll()
    {
        var all = new List<(string, string)>();
        _db.ForEach((k, v) => all.Add((Decode(k), Decode(v))));
        return all;
    }

    /// <summary>Flushes and closes; false when libdb could not write the file out.</summary>
    public bool Close() => _db.Close();

    public void Dispose() => Close();

    private static byte[] Encode(string s)
    {
        byte[] b = new byte[Encoding.UTF8.GetByteCount(s) + 1];
        Encoding.UTF8.GetBytes(s, b);
        return b;
    }

    // Other writers (sendmail's makemap) store no NUL; accept both.
    private static string Decode(ReadOnlySpan<byte> span)
    {
        if (span.Length > 0 && span[^1] == 0)
        {
            span = span[..^1];
        }

        return Encoding.UTF8.GetString(span);
    }
}
