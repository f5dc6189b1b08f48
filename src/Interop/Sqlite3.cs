// A SQLite 3 connection (sqlite3*) with spans and strings instead of pointers, over the few C
// functions of Interop.Sqlite.cs. The sqlite: table backend (Tables/SqliteDb.cs) keeps the
// policy: read-only, one statement per query, its error messages.
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal sealed unsafe class Sqlite3 : IDisposable
{
    public const int Ok = LibSqlite.SQLITE_OK;

    private nint _db;

    private Sqlite3(nint db) => _db = db;

    /// <summary>The library's file name, for "not installed" messages.</summary>
    public static string LibraryName => LibSqlite.Name;

    /// <summary>
    /// sqlite3_open_v2 read-only. On failure, <paramref name="error"/> is SQLite's message and
    /// <paramref name="systemErrno"/> the errno of the system call that failed, when known.
    /// Throws DllNotFoundException or EntryPointNotFoundException when libsqlite3 is not installed.
    /// </summary>
    public static Sqlite3? OpenReadOnly(string path, out string error, out Errno systemErrno)
    {
        nint db = 0;
        int rc = LibSqlite.OpenV2(path, &db, LibSqlite.SQLITE_OPEN_READONLY, null);
        if (rc == LibSqlite.SQLITE_OK)
        {
            error = string.Empty;
            systemErrno = Errno.None;
            return new Sqlite3(db);
        }

        systemErrno = db != 0 ? SystemErrno(db) : Errno.None;
        error = db != 0 ? Text(LibSqlite.ErrMsg(db)) : Text(LibSqlite.ErrStr(rc));
        _ = LibSqlite.CloseV2(db);
        return null;
    }

    /// <summary>How long a read waits for a writer's lock before failing with "database is locked".</summary>
    public void SetBusyTimeout(int milliseconds) => _ = LibSqlite.BusyTimeout(_db, milliseconds);

    /// <summary>SQLite's description of the last failure on this connection.</summary>
    public string ErrorMessage() => Text(LibSqlite.ErrMsg(_db));

    /// <summary>
    /// sqlite3_prepare_v2 of the first statement in <paramref name="sql"/> (UTF-8);
    /// <paramref name="consumed"/> is how many bytes it took, so the caller can look at the rest.
    /// <paramref name="statement"/> is null when there was only blank space or comments.
    /// </summary>
    public int Prepare(ReadOnlySpan<byte> sql, out Sqlite3Statement? statement, out int consumed)
    {
        nint stmt = 0;
        fixed (byte* p = sql)
        {
            byte* tail = p;
            int rc = LibSqlite.PrepareV2(_db, p, sql.Length, &stmt, &tail);
            consumed = tail == null ? sql.Length : (int)(tail - p);
            statement = stmt != 0 ? new Sqlite3Statement(stmt) : null;
            return rc;
        }
    }

    public void Dispose()
    {
        // close_v2 waits for any statement not yet finalized instead of failing with SQLITE_BUSY.
        if (_db != 0)
        {
            _ = LibSqlite.CloseV2(_db);
            _db = 0;
        }
    }

    // sqlite3_system_errno is from SQLite 3.22 (2018); every other function used is far older.
    private static Errno SystemErrno(nint db)
    {
        try
        {
            return (Errno)LibSqlite.SystemErrno(db);
        }
        catch (EntryPointNotFoundException)
        {
            return Errno.None;
        }
    }

    /// <summary>A NUL-terminated UTF-8 string from SQLite, or "" for NULL.</summary>
    private static string Text(byte* s) => s == null ? string.Empty : Marshal.PtrToStringUTF8((nint)s) ?? string.Empty;
}
