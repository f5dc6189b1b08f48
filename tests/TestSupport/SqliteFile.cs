// Writes SQLite databases for tests of the sqlite: table, through the system library the daemon
// uses (the daemon itself only ever opens them read-only, so it has no writing code to reuse).
using System.Runtime.InteropServices;

namespace Smtpd.Tests.TestSupport;

internal static unsafe partial class SqliteFile
{
    private const int SQLITE_OPEN_READWRITE = 0x2;
    private const int SQLITE_OPEN_CREATE = 0x4;

    /// <summary>Runs <paramref name="sql"/> (any number of statements) on <paramref name="path"/>, creating the file if needed.</summary>
    public static string Exec(string path, string sql)
    {
        nint db = 0;
        try
        {
            if (Open(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, null) != 0)
            {
                throw new IOException($"{path}: cannot create the database");
            }

            byte* error = null;
            if (ExecNative(db, sql, 0, 0, &error) != 0)
            {
                throw new IOException($"{path}: {Marshal.PtrToStringUTF8((nint)error)}: {sql}");
            }
        }
        finally
        {
            _ = Close(db);
        }

        return path;
    }

    [LibraryImport("libsqlite3.so.0", EntryPoint = "sqlite3_open_v2", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string filename, nint* db, int flags, string? vfs);

    [LibraryImport("libsqlite3.so.0", EntryPoint = "sqlite3_exec", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int ExecNative(nint db, string sql, nint callback, nint arg, byte** error);

    [LibraryImport("libsqlite3.so.0", EntryPoint = "sqlite3_close_v2")]
    private static partial int Close(nint db);
}
