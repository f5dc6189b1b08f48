// A Berkeley DB file through the DB 1.85 interface (Interop.Db185.cs), with spans instead of
// pointers: the tables code keeps the file format's rules (NUL-terminated keys, no overwrite),
// this class only moves bytes in and out of libdb. Failures give the errno libdb left.
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal sealed unsafe class Db185 : IDisposable
{
    private LibDb.Db* _db;

    private Db185(LibDb.Db* db) => _db = db;

    /// <summary>One entry as libdb hands it out; the spans are valid only during the call.</summary>
    public delegate void EntryVisitor(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value);

    /// <summary>The library's file name, for "not installed" messages.</summary>
    public static string LibraryName => LibDb.Name;

    /// <summary>
    /// dbopen(3) of a hash (or btree) file, read-only or created empty (mode 0644). Errno.None and
    /// null <paramref name="db"/> when libdb refused without an errno (not a DB file). Throws
    /// DllNotFoundException or EntryPointNotFoundException when libdb is not installed.
    /// </summary>
    public static Errno TryOpen(string path, bool write, bool btree, out Db185? db)
    {
        int flags = write ? Libc.O_RDWR | Libc.O_CREAT | Libc.O_TRUNC : Libc.O_RDONLY;
        LibDb.Db* handle = LibDb.DbOpen(path, flags, 0b110_100_100, btree ? LibDb.DB_BTREE : LibDb.DB_HASH, null);
        if (handle == null)
        {
            db = null;
            return (Errno)Marshal.GetLastPInvokeError();
        }

        db = new Db185(handle);
        return Errno.None;
    }

    /// <summary>The value stored under <paramref name="key"/> (a copy), or null; throws IOException when libdb fails.</summary>
    public byte[]? Get(ReadOnlySpan<byte> key)
    {
        fixed (byte* kp = key)
        {
            var dk = new LibDb.Dbt { Data = kp, Size = (nuint)key.Length };
            LibDb.Dbt dv;
            int r = _db->Get(_db, &dk, &dv, 0);
            if (r < 0)
            {
                throw Failure("db get");
            }

            return r == 0 ? new ReadOnlySpan<byte>(dv.Data, (int)dv.Size).ToArray() : null;
        }
    }

    /// <summary>Stores an entry (replacing one under the same key); throws IOException when libdb fails.</summary>
    public void Put(ReadOnlySpan<byte> key, ReadOnlySpan<byte> value)
    {
        fixed (byte* kp = key, vp = value)
        {
            var dk = new LibDb.Dbt { Data = kp, Size = (nuint)key.Length };
            var dv = new LibDb.Dbt { Data = vp, Size = (nuint)value.Length };
            if (_db->Put(_db, &dk, &dv, 0) != 0)
            {
                throw Failure("db put");
            }
        }
    }

    /// <summary>Every entry in the file's own order; throws IOException when libdb fails.</summary>
    public void ForEach(EntryVisitor visit)
    {
        LibDb.Dbt k;
        LibDb.Dbt v;
        int r;
        for (r = _db->Seq(_db, &k, &v, LibDb.R_FIRST); r == 0; r = _db->Seq(_db, &k, &v, LibDb.R_NEXT))
        {
            visit(new ReadOnlySpan<byte>(k.Data, (int)k.Size), new ReadOnlySpan<byte>(v.Data, (int)v.Size));
        }

        if (r < 0)
        {
            throw Failure("db seq");
        }
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

    // The methods are called through function pointers, which capture no errno: read it at once.
    private static IOException Failure(string what) =>
        new(what + ": " + Posix.StrError((Errno)Marshal.GetLastSystemError()));
}
