// A SQLite database opened read-only for the sqlite: table backend. Failures are IOExceptions
// carrying SQLite's own message, so the table can log them and answer a temporary failure.
// Behaviour reference: OpenSMTPD/table-sqlite table_sqlite.c (sqlite3_open, table_sqlite_prepare_stmt).
using System.Text;
using Smtpd.Interop;

namespace Smtpd.Tables;

internal sealed class SqliteDb : IDisposable
{
    // A writer holding the database lock (an admin's sqlite3 session, a script's update) makes
    // reads fail at once with "database is locked"; waiting a little rides that out without
    // holding the lookup agent for long.
    private const int BusyTimeoutMs = 1000;

    private readonly Sqlite3 _db;

    private SqliteDb(Sqlite3 db) => _db = db;

    /// <summary>Opens <paramref name="path"/> read-only: the lookup agent never writes, and runs as _smtpd.</summary>
    public static SqliteDb Open(string path)
    {
        Sqlite3? db;
        string message;
        Errno errno;
        try
        {
            db = Sqlite3.OpenReadOnly(path, out message, out errno);
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            throw new IOException($"SQLite library {Sqlite3.LibraryName} is not installed");
        }

        if (db is null)
        {
            // "unable to open database file" alone hides the usual cause: _smtpd may not read it.
            message += errno != Errno.None ? $" ({Posix.StrError(errno)})" : string.Empty;
            throw new IOException($"{path}: {message}");
        }

        db.SetBusyTimeout(BusyTimeoutMs);
        return new SqliteDb(db);
    }

    /// <summary>Compiles one statement; a second statement after the first is refused, not ignored.</summary>
    public SqliteStatement Prepare(string sql)
    {
        // With its NUL the text after the first statement is never empty (SQLite refuses no text at all).
        byte[] bytes = Encoding.UTF8.GetBytes(sql + "\0");
        if (_db.Prepare(bytes, out Sqlite3Statement? stmt, out int used) != Sqlite3.Ok)
        {
            throw new IOException(ErrorMessage());
        }

        // What follows the first statement must compile to nothing: blanks, ';' or comments.
        int rc = _db.Prepare(bytes.AsSpan(used), out Sqlite3Statement? next, out _);
        if (stmt is null || rc != Sqlite3.Ok || next is not null)
        {
            string error = stmt is null ? "no SQL statement" : rc != Sqlite3.Ok ? ErrorMessage() : "more than one SQL statement";
            next?.Dispose();
            stmt?.Dispose();
            throw new IOException(error);
        }

        return new SqliteStatement(this, stmt);
    }

    /// <summary>SQLite's description of the last failure on this connection.</summary>
    public string ErrorMessage() => _db.ErrorMessage();

    public void Dispose() => _db.Dispose();
}
