// One smtpd.conf (virtual domains with a userbase, local aliases, a recipient list) run with its
// tables served by each backend: file:, db: built by our makemap, the built-in sqlite:, an
// external smtpd-tables(7) program, a socketmap server, and (for the userbase) a passwd file.
// Every backend must accept and refuse the same recipients
// and deliver to the same mailboxes. Root only: mail lands in two system users' boxes.
using Smtpd.Interop;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public sealed class TableBackendTests : IDisposable
{
    private const string User1 = "smtpdtest";
    private const string User2 = "smtpdtest2";

    // A table program answering from the same text files as file: does: one "key value" per
    // line, or a bare key for a list. Keys are matched exactly, as smtpd hands them over.
    private const string TableProgram = """
        #!/usr/bin/env python3
        import sys
        entries = {}
        for line in open(sys.argv[1]):
            line = line.strip()
            if line and not line.startswith("#"):
                key, _, value = line.partition(" ")
                entries[key] = value.strip()
        for line in sys.stdin:
            if line.strip() == "config|ready":
                break
        for service in ("domain", "mailaddr", "alias", "userinfo"):
            print("register|" + service)
        print("register|ready", flush=True)
        for line in sys.stdin:
            fields = line.rstrip("\n").split("|", 7)
            if fields[4] == "update":
                print("update-result|%s|ok" % fields[5], flush=True)
                continue
            op, rid, key = fields[4], fields[6], fields[7]
            if key not in entries:
                print("%s-result|%s|not-found" % (op, rid), flush=True)
            elif op == "check":
                print("%s-result|%s|found" % (op, rid), flush=True)
            else:
                print("%s-result|%s|found|%s" % (op, rid, entries[key]), flush=True)
        """;

    // Each recipient, the reply's code, and for an accepted one the mailboxes it must reach.
    private static readonly (string Rcpt, string Code, string[] Boxes)[] Expected =
    [
        ("staff@one.example", "250", [User1, User2]),
        ("Staff@One.Example", "250", [User1, User2]),
        ("staff+news@one.example", "250", [User1, User2]),
        ("info@one.example", "250", [User1, User2]),
        ("vmail@one.example", "250", ["vmail"]),
        ("nobody@one.example", "524", []),
        ("anyone@two.example", "250", [User2]),
        ("postmaster@local.example", "250", [User1]),
        ("team@local.example", "250", [User1, User2]),
        ($"{User1}@local.example", "250", [User1]),
        ("stranger@local.example", "550", []),
        ("someone@elsewhere.example", "550", []),
    ];

    private readonly string _dir;
    private SocketmapServer? _socketmap;

    public TableBackendTests()
    {
        _dir = Directory.CreateTempSubdirectory("smtpd-backends-").FullName;
        Directory.CreateDirectory(Mail);

        // The lookup agent runs as _smtpd, deliveries as the users: all must read the tables
        // and create their maildirs.
        File.SetUnixFileMode(_dir, (UnixFileMode)0b111_101_101);
        File.SetUnixFileMode(Mail, (UnixFileMode)0b111_111_111);
        if (!Binary.IsRoot)
        {
            return;
        }

        Binary.EnsureSystemUsers();
        foreach (string user in new[] { User1, User2 })
        {
            Binary.EnsureUser(user);
        }

        // The virtual user's home, with the ids the userbase gives it.
        var pw = Posix.GetPwNam(User2)!;
        Directory.CreateDirectory(Path.Combine(_dir, "vhome"));
        Binary.Run("chown", [$"{pw.Uid}:{pw.Gid}", Path.Combine(_dir, "vhome")]);
    }

    public static TheoryData<string> Backends => new() { "file", "db", "sqlite", "proc", "socketmap", "passwd" };

    private string Mail => Path.Combine(_dir, "mail");

    public void Dispose()
    {
        _socketmap?.Dispose();
        Directory.Delete(_dir, recursive: true);
    }

    [EndToEndTheory(needsRoot: true)]
    [MemberData(nameof(Backends))]
    public void EveryBackendAcceptsRefusesAndDeliversTheSame(string backend)
    {
        var tables = Tables();
        var env = new Dictionary<string, string>();
        string declarations = string.Concat(tables.Select(t => Declare(backend, t, env) + "\n"));
        string conf = $"""
            listen on 127.0.0.1 port {"{PORT}"}
            {declarations}
            action "virtual" maildir "{Mail}/%{"{user.username}"}" virtual <virtuals> userbase <vusers>
            action "local" maildir "{Mail}/%{"{user.username}"}" alias <aliases>
            match from any for domain <domains> action "virtual"
            match from any for domain "local.example" rcpt-to <users> action "local"

            """;
        using var d = Daemon.Start(conf, env: env).WaitReady();

        var replies = new List<string>();
        foreach (var (rcpt, _, _) in Expected)
        {
            replies.Add(Send(d, rcpt));
        }

        Assert.Equal(Expected.Select(e => $"{e.Rcpt} {e.Code}"), Expected.Select((e, i) => $"{e.Rcpt} {replies[i][..3]}"));

        // Each message's subject names its recipient: every box must hold exactly its own.
        var want = Expected.SelectMany(e => e.Boxes.Select(b => (Box: b, e.Rcpt))).ToLookup(x => x.Box, x => x.Rcpt);
        string Describe(Func<string, IEnumerable<string>> boxContents) =>
            string.Join("\n", new[] { User1, User2, "vmail" }.Select(b => b + ": " + string.Join(" ", boxContents(b).Order(StringComparer.Ordinal))));
        string expected = Describe(b => want[b]);
        Wait.Until(() => Describe(Subjects) == expected, $"the {backend} tables deliver as expected:\n{expected}\n-- got --\n{Describe(Subjects)}");

        bool loaded = d.Roles().Any(r => File.ReadAllText($"/proc/{r.Pid}/maps").Contains("libsqlite3", StringComparison.Ordinal));
        Assert.Equal(backend == "sqlite", loaded);
    }

    private static string Send(Daemon d, string rcpt)
    {
        using var c = new SmtpClientHelper(d.Port);
        c.Command("EHLO client.example.net");
        c.Command("MAIL FROM:<sender@example.net>");
        string reply = c.Command($"RCPT TO:<{rcpt}>");
        if (reply.StartsWith("250", StringComparison.Ordinal))
        {
            Assert.StartsWith("354", c.Command("DATA"), StringComparison.Ordinal);
            c.Send($"Subject: {rcpt}\r\n\r\nhello\r\n.\r\n");
            Assert.StartsWith("250", c.ReadReply(), StringComparison.Ordinal);
        }

        return reply;
    }

    private IEnumerable<string> Subjects(string box)
    {
        string dir = Path.Combine(Mail, box, "new");
        return Directory.Exists(dir)
            ? Directory.GetFiles(dir).Select(f => File.ReadLines(f).First(l => l.StartsWith("Subject: ", StringComparison.Ordinal))[9..])
            : [];
    }

    private List<TableData> Tables()
    {
        string Info(string user, string? home = null)
        {
            var pw = Posix.GetPwNam(user)!;
            return $"{pw.Uid}:{pw.Gid}:{home ?? pw.Directory}";
        }

        return
        [
            new("domains", "domain", [("one.example", []), ("two.example", [])]),
            new("virtuals", "alias",
            [
                ("staff@one.example", [User1, User2]),
                ("info@one.example", ["staff@one.example"]),
                ("vmail@one.example", ["vmail"]),
                ("@two.example", [User2]),
            ]),
            new("vusers", "userinfo", [(User1, [Info(User1)]), (User2, [Info(User2)]), ("vmail", [Info(User2, Path.Combine(_dir, "vhome"))])]),
            new("aliases", "alias", [("postmaster", [User1]), ("team", [User1, User2])]),
            new("users", "mailaddr", [("postmaster@local.example", []), ("team@local.example", []), ($"{User1}@local.example", [])]),
        ];
    }

    // Writes the table for one backend and returns its declaration.
    private string Declare(string backend, TableData table, Dictionary<string, string> env)
    {
        string text = Path.Combine(_dir, table.Name);
        Write(text, string.Concat(table.Entries.Select(e => e.Values.Length == 0 ? e.Key + "\n" : $"{e.Key} {string.Join(", ", e.Values)}\n")));
        switch (backend)
        {
            case "file":
                return $"table {table.Name} file:{text}";
            case "db":
                string makemap = Binary.LinkAs(_dir, "makemap");
                var r = Binary.Run(makemap, table.IsList ? ["-t", "set", text] : [text]);
                Assert.True(r.Code == 0, r.Err);
                return $"table {table.Name} db:{text}.db";
            case "sqlite":
                return $"table {table.Name} sqlite:{SqliteTable(table)}";
            case "socketmap":
                _socketmap ??= SocketmapServer.Start(_dir, Path.Combine(_dir, "socketmap.sock"));
                return $"table {table.Name} socketmap:{_socketmap.Path}";
            case "passwd" when table.Service == "userinfo":
                // table-passwd's format: user:password:uid:gid:gecos:home:shell.
                string passwd = Path.Combine(_dir, table.Name + ".passwd");
                Write(passwd, "# virtual users\n" + string.Concat(table.Entries.Select(e => e.Values[0].Split(':', 3)).Select((f, i) => $"{table.Entries[i].Key}:x:{f[0]}:{f[1]}:virtual user:{f[2]}:/sbin/nologin\n")));
                return $"table {table.Name} passwd:{passwd}";
            case "passwd":
                return $"table {table.Name} file:{text}";
            default:
                Write(Path.Combine(_dir, "table-exec"), TableProgram + "\n", 0b111_101_101);
                env["SMTPD_LIBEXEC"] = _dir;
                return $"table {table.Name} exec:{text}";
        }
    }

    // One SQL table per smtpd table in a shared database, with the query table-sqlite's
    // documentation suggests for the service; a multi-target alias is one row per target.
    private string SqliteTable(TableData table)
    {
        string db = Path.Combine(_dir, "tables.sqlite");
        string sql;
        string query;
        if (table.Service == "userinfo")
        {
            sql = $"CREATE TABLE {table.Name} (k TEXT, uid INTEGER, gid INTEGER, home TEXT);"
                + string.Concat(table.Entries.Select(e => e.Values[0].Split(':', 3)).Select((f, i) => $"INSERT INTO {table.Name} VALUES ('{table.Entries[i].Key}', {f[0]}, {f[1]}, '{f[2]}');"));
            query = $"SELECT uid, gid, home FROM {table.Name} WHERE k = ?";
        }
        else
        {
            sql = $"CREATE TABLE {table.Name} (k TEXT, v TEXT);"
                + string.Concat(table.Entries.SelectMany(e => e.Values.DefaultIfEmpty(string.Empty).Select(v => $"INSERT INTO {table.Name} VALUES ('{e.Key}', '{v}');")));
            query = table.IsList ? $"SELECT k FROM {table.Name} WHERE k = ?" : $"SELECT v FROM {table.Name} WHERE k = ? ORDER BY rowid";
        }

        SqliteFile.Exec(db, sql);
        File.SetUnixFileMode(db, (UnixFileMode)0b110_100_100);
        string conf = Path.Combine(_dir, table.Name + ".sqlite.conf");
        Write(conf, $"# {table.Name}\ndbpath {db}\nquery_{table.Service} {query}\n");
        return conf;
    }

    private static void Write(string path, string text, int mode = 0b110_100_100)
    {
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, (UnixFileMode)mode);
    }

    private sealed record TableData(string Name, string Service, List<(string Key, string[] Values)> Entries)
    {
        public bool IsList => Entries.All(e => e.Values.Length == 0);
    }
}
