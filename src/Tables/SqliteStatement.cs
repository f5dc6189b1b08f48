// One prepared query of a sqlite: table: run with the key bound to its parameter, it gives the
// rows as text. Reset after every run, so the read transaction never outlives a lookup and the
// next one sees what writers committed meanwhile.
// Behaviour reference: OpenSMTPD/table-sqlite table_sqlite.c table_sqlite_query(), table_sqlite_lookup().
using System.Text;
using Smtpd.Interop;

namespace Smtpd.Tables;

internal sealed class SqliteStatement : IDisposable
{
    private readonly SqliteDb _db;
    private readonly Sqlite3Statement _stmt;

    public SqliteStatement(SqliteDb db, Sqlite3Statement stmt)
    {
        _db = db;
        _stmt = stmt;
        Columns = stmt.ColumnCount;
        Parameters = stmt.BindParameterCount;
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
            // An empty key binds "" and not NULL.
            if (key is not null && _stmt.BindText(1, Encoding.UTF8.GetBytes(key)) != Sqlite3Statement.Ok)
            {
                throw new IOException(_db.ErrorMessage());
            }

            while (rows.Count < maxRows)
            {
                int rc = _stmt.Step();
                if (rc == Sqlite3Statement.Done)
                {
                    break;
                }

                if (rc != Sqlite3Statement.Row)
                {
                    throw new IOException(_db.ErrorMessage());
                }

                rows.Add(Row());
            }
        }
        finally
        {
            // Its result repeats the failed step's, already reported above.
            _ = _stmt.Reset();
        }

        return rows;
    }

    public void Dispose() => _stmt.Dispose();

    private string?[] Row()
    {
        var row = new string?[Columns];
        for (int i = 0; i < row.Length; i++)
        {
            row[i] = _stmt.ColumnText(i);
        }

        return row;
    }
}
