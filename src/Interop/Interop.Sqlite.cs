// The few SQLite 3 C functions the sqlite: table backend needs: open a file read-only, prepare
// one statement per query, bind the key, step through the rows, read text columns. The library
// is bound on first use, so a process without a sqlite table never loads it.
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static unsafe partial class LibSqlite
{
    // Result codes (sqlite3.h).
    internal const int SQLITE_OK = 0;
    internal const int SQLITE_ROW = 100;
    internal const int SQLITE_DONE = 101;

    // sqlite3_open_v2 flags.
    internal const int SQLITE_OPEN_READONLY = 0x00000001;

    /// <summary>Destructor argument telling sqlite3_bind_text to copy the bytes before it returns.</summary>
    internal const nint SQLITE_TRANSIENT = -1;

    [LibraryImport(Name, EntryPoint = "sqlite3_open_v2", StringMarshalling = StringMarshalling.Utf8)]
    internal static partial int OpenV2(string filename, nint* db, int flags, string? vfs);

    [LibraryImport(Name, EntryPoint = "sqlite3_close_v2")]
    internal static partial int CloseV2(nint db);

    [LibraryImport(Name, EntryPoint = "sqlite3_errmsg")]
    internal static partial byte* ErrMsg(nint db);

    [LibraryImport(Name, EntryPoint = "sqlite3_errstr")]
    internal static partial byte* ErrStr(int code);

    /// <summary>The errno of the last failed system call on this connection (why a file could not be opened).</summary>
    [LibraryImport(Name, EntryPoint = "sqlite3_system_errno")]
    internal static partial int SystemErrno(nint db);

    [LibraryImport(Name, EntryPoint = "sqlite3_busy_timeout")]
    internal static partial int BusyTimeout(nint db, int milliseconds);

    [LibraryImport(Name, EntryPoint = "sqlite3_prepare_v2")]
    internal static partial int PrepareV2(nint db, byte* sql, int bytes, nint* stmt, byte** tail);

    [LibraryImport(Name, EntryPoint = "sqlite3_finalize")]
    internal static partial int Finalize(nint stmt);

    [LibraryImport(Name, EntryPoint = "sqlite3_reset")]
    internal static partial int Reset(nint stmt);

    [LibraryImport(Name, EntryPoint = "sqlite3_column_count")]
    internal static partial int ColumnCount(nint stmt);

    [LibraryImport(Name, EntryPoint = "sqlite3_bind_parameter_count")]
    internal static partial int BindParameterCount(nint stmt);

    [LibraryImport(Name, EntryPoint = "sqlite3_bind_text")]
    internal static partial int BindText(nint stmt, int index, byte* text, int bytes, nint destructor);

    [LibraryImport(Name, EntryPoint = "sqlite3_step")]
    internal static partial int Step(nint stmt);

    /// <summary>The column as UTF-8 text, or null for SQL NULL; valid until the next step or reset.</summary>
    [LibraryImport(Name, EntryPoint = "sqlite3_column_text")]
    internal static partial byte* ColumnText(nint stmt, int column);

    /// <summary>The byte length of the text sqlite3_column_text just returned.</summary>
    [LibraryImport(Name, EntryPoint = "sqlite3_column_bytes")]
    internal static partial int ColumnBytes(nint stmt, int column);
}
