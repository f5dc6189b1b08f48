// A Berkeley DB file opened through libdb's 1.85 interface: keys and values are stored with
// their terminating NUL, as OpenSMTPD's makemap writes them and table_db reads them.
// Behaviour reference: usr.sbin/smtpd/table_db.c, makemap.c.
using System.Runtime.InteropServices;
using System.Text;
using Smtpd.Interop;

namespace Smtpd.Tables;

internal sealed unsafe class DbFile : IDisposable
{
    private LibDb.Db* _db;

    private DbFile(LibDb.Db* db) => _db = db;

    /// <summary>Opens <paramref name="path"/>; throws IOException (with errno text) when libdb cannot.</summary>
    public static DbFile Open(string path, bool write, bool btree = false)
    {
        int flags = write ? Libc.O_RDWR | Libc.O_CREAT | Libc.O_TRUNC : Libc.O_RDONLY;
        LibDb.Db* db;
        try
        {
            db = LibDb.DbOpen(path, flags, 0b110_100_100, btree ? LibDb.DB_BTREE : LibDb.DB_HASH, null);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new IOException($"{path}: Berkeley DB library {LibDb.Name} is not installed");
        }

        if (db == null)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException($"{path}: {(errno == 0 ? "not a Berkeley DB hash file" : Posix.StrError((Errno)errno))}");
        }

        return new DbFile(db);
    }

    /// <summary>The value stored under <paramref name="key"/> (without its NUL), or null.</summary>
    public string? Get(string key)
    {
        byte[] k = Encode(key);
        fixed (byte* kp = k)
        {
            var dk = new LibDb.Dbt { Data = kp, Size = (nuint)k.Length };
            LibDb.Dbt dv;
            int r = _db->Get(_db, &dk, &dv, 0);
            if (r < 0)
            {
                throw new IOException("db get: " + Posix.StrError((Errno)Marshal.GetLastSystemError()));
            }

            return r == 0 ? Decode(dv) : null;
        }
    }

    /// <summary>Stores an entry; false when the key was already present (nothing is overwritten).</summary>
    public bool Add(string key, string value)
    {
        if (Get(key) is not null)
        {
            return false;
        }

        byte[] k = Encode(key);
        byte[] v = Encode(value);
        fixed (byte* kp = k, vp = v)
        {
            var dk = new LibDb.Dbt { Data = kp, Size = (nuint)k.Length };
            var dv = new LibDb.Dbt { Data = vp, Size = (nuint)v.Length };
            if (_db->Put(_db, &dk, &dv, 0) != 0)
            {
                throw new IOException("db put: " + Posix.StrError((Errno)Marshal.GetLastSystemError()));
            }
        }

        return true;
    }

    /// <summary>Every entry in the file's own order.</summary>
    public List<(string Key, string Value)> ReadAll()
    {
        var all = new List<(string, string)>();
        LibDb.Dbt k;
        LibDb.Dbt v;
        int r;
        for (r = _db->Seq(_db, &k, &v, LibDb.R_FIRST); r == 0; r = _db->Seq(_db, &k, &v, LibDb.R_NEXT))
        {
            all.Add((Decode(k), Decode(v)));
        }

        if (r < 0)
        {
            throw new IOException("db seq: " + Posix.StrError((Errno)Marshal.GetLastSystemError()));
        }

        return all;
    }

    /// <summary>Flushes and closes; false when libdb could not write the file out.</summary>
    public bool Close()
    {
        if (_db == null)
        {
            return true;
        }

        var db = _db;
        _db = null;
        return db->Close(db) == 0;
    }

    public void Dispose() => Close();

    private static byte[] Encode(string s)
    {
        byte[] b = new byte[Encoding.UTF8.GetByteCount(s) + 1];
        Encoding.UTF8.GetBytes(s, b);
        return b;
    }

    // Other writers (sendmail's makemap) store no NUL; accept both.
    private static string Decode(LibDb.Dbt d)
    {
        var span = new ReadOnlySpan<byte>(d.Data, (int)d.Size);
        if (span.Length > 0 && span[^1] == 0)
        {
            span = span[..^1];
        }

        return Encoding.UTF8.GetString(span);
    }
}
