// One prepared SQLite statement (sqlite3_stmt*): bind text, step, read text columns.
using System.Text;

namespace Smtpd.Interop;

internal sealed unsafe class Sqlite3Statement : IDisposable
{
    public const int Ok = LibSqlite.SQLITE_OK;
    public const int Row = LibSqlite.SQLITE_ROW;
    public const int Done = LibSqlite.SQLITE_DONE;

    private nint _stmt;

    internal Sqlite3Statement(nint stmt) => _stmt = stmt;

    public int ColumnCount => LibSqlite.ColumnCount(_stmt);

    public int BindParameterCount => LibSqlite.BindParameterCount(_stmt);

    /// <summary>Binds UTF-8 <paramref name="text"/> to parameter <paramref name="index"/> (from 1); SQLite copies it.</summary>
    public int BindText(int index, ReadOnlySpan<byte> text)
    {
        // A pinned empty span is a null pointer, which SQLite would bind as NULL, not "".
        byte empty = 0;
        fixed (byte* p = text)
        {
            return LibSqlite.BindText(_stmt, index, p == null ? &empty : p, text.Length, LibSqlite.SQLITE_TRANSIENT);
        }
    }

    /// <summary>sqlite3_step: Row, Done or an error code.</summary>
    public int Step() => LibSqlite.Step(_stmt);

    /// <summary>Back to the start, ending the read transaction; bindings stay.</summary>
    public int Reset() => LibSqlite.Reset(_stmt);

    /// <summary>The column of the current row as text, or null for SQL NULL.</summary>
    public string? ColumnText(int column)
    {
        // sqlite3_column_bytes must come after sqlite3_column_text: it measures the converted text.
        byte* text = LibSqlite.ColumnText(_stmt, column);
        return text == null ? null : Encoding.UTF8.GetString(text, LibSqlite.ColumnBytes(_stmt, column));
    }

    public void Dispose()
    {
        if (_stmt != 0)
        {
            _ = LibSqlite.Finalize(_stmt);
            _stmt = 0;
        }
    }
}
