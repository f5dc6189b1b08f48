// One prepared query of a sqlite: table: run with the key bound to its parameter, it gives the
// rows as text. Reset after every run, so the read transaction never outlives a lookup and the
// next one sees what writers committed meanwhile.
// Behaviour reference: OpenSMTPD/table-sqlite table_sqlite.c table_sqlite_query(), table_sqlite_lookup().
using System.Text;
using Smtpd.Interop;

namespace Smtpd.Tables;

internal sealed unsafe class SqliteStatement : IDisposable
{
    private readonly SqliteDb _db;
    private nint _stmt;

    public SqliteStatement(SqliteDb db, nint stmt)
    {
        _db = db;
        _stmt = stmt;
        Columns = LibSqlite.ColumnCount(stmt);
        Parameters = LibSqlite.BindParameterCount(stmt);
    }

    /// <summary>How many columns each row has.</summary>
    public int Columns { get; }

    /// <summary>How many parameters (?, ?1, :name) the statement takes.</summary>
    public int Parameters { get; }

    /// <summary>
    /// Runs the statement with <paramref name="key"/> as its first parameter (none when null) and
    /// returns at most <paramref name="maxRows"/> rows, NULL columns as null; IOException on failure.
    /// </summary>
    public List<string?[]> Query(string? key, int maxRows)
    {
        var rows = new List<string?[]>();
        try
        {
            if (key is not null)
            {
                // With the NUL the array is never empty, so an empty key binds "" and not NULL.
                byte[] bytes = Encoding.UTF8.GetBytes(key + "\0");
                fixed (byte* p = bytes)
                {
                    if (LibSqlite.BindText(_stmt, 1, p, bytes.Length - 1, LibSqlite.SQLITE_TRANSIENT) != LibSqlite.SQLITE_OK)
                    {
                        throw new IOException(_db.ErrorMessage());
                    }
                }
            }

            while (rows.Count < maxRows)
            {
                int rc = LibSqlite.Step(_stmt);
                if (rc == LibSqlite.SQLITE_DONE)
                {
                    break;
                }

                if (rc != LibSqlite.SQLITE_ROW)
                {
                    throw new IOException(_db.ErrorMessage());
                }

                rows.Add(Row());
            }
        }
        finally
        {
            // Its result repeats the failed step's, already reported above.
            _ = LibSqlite.Reset(_stmt);
        }

        return rows;
    }

    public void Dispose()
    {
        if (_stmt != 0)
        {
            _ = LibSqlite.Finalize(_stmt);
            _stmt = 0;
        }
    }

    private string?[] Row()
    {
        var row = new string?[Columns];
        for (int i = 0; i < row.Length; i++)
        {
            // sqlite3_column_bytes must come after sqlite3_column_text: it measures the converted text.
            byte* text = LibSqlite.ColumnText(_stmt, i);
            row[i] = text == null ? null : Encoding.UTF8.GetString(text, LibSqlite.ColumnBytes(_stmt, i));
        }

        return row;
    }
}
