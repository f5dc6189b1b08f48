// Berkeley DB through its DB 1.85 compatibility entry point (dbopen), the interface OpenSMTPD's
// makemap and table_db use on Linux, so the files we read and write are the same on-disk format.
// The 1.85 DB handle is a small struct of function pointers, stable across libdb versions.
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static unsafe partial class LibDb
{
    internal const int DB_BTREE = 0;
    internal const int DB_HASH = 1;

    // Cursor and put flags from db_185.h.
    internal const uint R_FIRST = 3;
    internal const uint R_NEXT = 7;

    [StructLayout(LayoutKind.Sequential)]
    internal struct Dbt
    {
        public byte* Data;
        public nuint Size;
    }

    /// <summary>struct __db of db_185.h: the type, then the methods in declaration order.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct Db
    {
        public int Type;
        public delegate* unmanaged<Db*, int> Close;
        public delegate* unmanaged<Db*, Dbt*, uint, int> Del;
        public delegate* unmanaged<Db*, Dbt*, Dbt*, uint, int> Get;
        public delegate* unmanaged<Db*, Dbt*, Dbt*, uint, int> Put;
        public delegate* unmanaged<Db*, Dbt*, Dbt*, uint, int> Seq;
        public delegate* unmanaged<Db*, uint, int> Sync;
        public void* Internal;
        public delegate* unmanaged<Db*, int> Fd;
    }

    [LibraryImport(Name, EntryPoint = "__db185_open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial Db* DbOpen(string file, int flags, int mode, int type, void* openinfo);
}
