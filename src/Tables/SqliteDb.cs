// A SQLite database opened read-only for the sqlite: table backend. Failures are IOExceptions
// carrying SQLite's own message, so the table can log them and answer a temporary failure.
// Behaviour reference: OpenSMTPD/table-sqlite table_sqlite.c (sqlite3_open, table_sqlite_prepare_stmt).
using System.Runtime.InteropServices;
using System.Text;
using Smtpd.Interop;

namespace Smtpd.Tables;

internal sealed unsafe class SqliteDb : IDisposable
{
    // A writer holding the database lock (an admin's sqlite3 session, a script's update) makes
    // reads fail at once with "database is locked"; waiting a little rides that out without
    // holding the lookup agent for long.
    private const int BusyTimeoutMs = 1000;

    private nint _db;

    private SqliteDb(nint db) => _db = db;

    /// <summary>Opens <paramref name="path"/> read-only: the lookup agent never writes, and runs as _smtpd.</summary>
    public static SqliteDb Open(string path)
    {
        nint db = 0;
        int rc;
        try
        {
            rc = LibSqlite.OpenV2(path, &db, LibSqlite.SQLITE_OPEN_READONLY, null);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new IOException($"SQLite library {LibSqlite.Name} is not installed");
        }

        if (rc != LibSqlite.SQLITE_OK)
        {
            // "unable to open database file" alone hides the usual cause: _smtpd may not read it.
            int errno = db != 0 ? SystemErrno(db) : 0;
            string message = db != 0 ? Text(LibSqlite.ErrMsg(db)) : Text(LibSqlite.ErrStr(rc));
            message += errno != 0 ? $" ({Posix.StrError((Errno)errno)})" : string.Empty;
            _ = LibSqlite.CloseV2(db);
            throw new IOException($"{path}: {message}");
        }

        _ = LibSqlite.BusyTimeout(db, BusyTimeoutMs);
        return new SqliteDb(db);
    }

    /// <summary>Compiles one statement; a second statement after the first is refused, not ignored.</summary>
    public SqliteStatement Prepare(string sql)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(sql + "\0");
        nint stmt = 0;
        nint next = 0;
        fixed (byte* p = bytes)
        {
            byte* tail;
            if (LibSqlite.PrepareV2(_db, p, bytes.Length, &stmt, &tail) != LibSqlite.SQLITE_OK)
            {
                throw new IOException(ErrorMessage());
            }

            // What follows the first statement must compile to nothing: blanks, ';' or comments.
            int rc = LibSqlite.PrepareV2(_db, tail, bytes.Length - (int)(tail - p), &next, &tail);
            if (stmt == 0 || rc != LibSqlite.SQLITE_OK || next != 0)
            {
                string error = stmt == 0 ? "no SQL statement" : rc != LibSqlite.SQLITE_OK ? ErrorMessage() : "more than one SQL statement";
                _ = LibSqlite.Finalize(next);
                _ = LibSqlite.Finalize(stmt);
                throw new IOException(error);
            }
        }

        return new SqliteStatement(this, stmt);
    }

    /// <summary>SQLite's description of the last failure on this connection.</summary>
    public string ErrorMessage() => Text(LibSqlite.ErrMsg(_db));

    // sqlite3_system_errno is from SQLite 3.22 (2018); every other function used is far older.
    private static int SystemErrno(nint db)
    {
        try
        {
            return LibSqlite.SystemErrno(db);
        }
        catch (EntryPointNotFoundException)
        {
            return 0;
        }
    }

    /// <summary>A NUL-terminated UTF-8 string from SQLite, or "" for NULL.</summary>
    internal static string Text(byte* s) => s == null ? string.Empty : Marshal.PtrToStringUTF8((nint)s) ?? string.Empty;

    public void Dispose()
    {
        // close_v2 waits for any statement not yet finalized instead of failing with SQLITE_BUSY.
        if (_db != 0)
        {
            _ = LibSqlite.CloseV2(_db);
            _db = 0;
        }
    }
}
