// Tables in a running daemon: `smtpctl update table` makes a changed file table take effect and
// reopens a sqlite database, db maps from makemap are used, netaddr and mailaddr tables steer
// `match from src` and `match mail-from`, and a broken table program or a missing database
// defers mail without taking the daemon down.
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public sealed class TableTests : IDisposable
{
    private readonly string _tables;

    public TableTests()
    {
        if (Binary.IsRoot)
        {
            Binary.EnsureSystemUsers();
        }

        // The lookup agent runs as _smtpd under a root daemon: it must be able to read these.
        _tables = Directory.CreateTempSubdirectory("smtpd-tables-").FullName;
        File.SetUnixFileMode(_tables, (UnixFileMode)0b111_101_101);
    }

    public void Dispose() => Directory.Delete(_tables, recursive: true);

    private string Write(string name, string text, int mode = 0b110_100_100)
    {
        string path = Path.Combine(_tables, name);
        File.WriteAllText(path, text);
        File.SetUnixFileMode(path, (UnixFileMode)mode);
        return path;
    }

    private static string Rcpt(Daemon d, string address, string sender = "sender@example.net")
    {
        using var c = new SmtpClientHelper(d.Port);
        c.Command("EHLO client.example.net");
        c.Command($"MAIL FROM:<{sender}>");
        return c.Command($"RCPT TO:<{address}>");
    }

    private static string Config(string tableLine) =>
        tableLine + "\nlisten on 127.0.0.1 port {PORT}\naction \"local\" maildir\nmatch from any for rcpt-to <users> action \"local\"\n";

    [EndToEndFact]
    public void UpdateTablePicksUpAChangedFileTable()
    {
        string users = Write("users", "alice@example.org\n");
        using var d = Daemon.Start(Config($"table users file:{users}")).WaitReady();
        Assert.StartsWith("550", Rcpt(d, "root@example.org"), StringComparison.Ordinal);

        Write("users", "alice@example.org\nroot@example.org\n");
        Assert.StartsWith("550", Rcpt(d, "root@example.org"), StringComparison.Ordinal);
        Assert.Equal((0, "command succeeded\n"), (d.Ctl("update", "table", "users").Code, d.Ctl("update", "table", "users").Out));
        Assert.StartsWith("250", Rcpt(d, "root@example.org"), StringComparison.Ordinal);
        Assert.Contains("table \"users\" updated", d.Log, StringComparison.Ordinal);
    }

    [EndToEndFact]
    public void NetaddrAndMailaddrFileTablesDecideWhichClientsAndSendersAMatchAccepts()
    {
        // The client is 127.0.0.1: inside one network table, outside the other.
        string inside = Write("inside", "# loopback\n127.0.0.0/8\n");
        string outside = Write("outside", "192.0.2.0/24\n[2001:db8::]/32\n");
        string senders = Write("senders", "alice@example.net\n@partner.example\n");
        using var d = Daemon.Start($"""
            table inside file:{inside}
            table outside file:{outside}
            table allowed file:{senders}
            listen on 127.0.0.1 port {"{PORT}"}
            action "local" maildir
            match from src <inside> for domain "inside.example" action "local"
            match from src <outside> for domain "outside.example" action "local"
            match from any mail-from <allowed> for domain "senders.example" action "local"

            """).WaitReady();
        Assert.StartsWith("250 ", Rcpt(d, "root@inside.example"), StringComparison.Ordinal);
        Assert.Equal("550 Invalid recipient: <root@outside.example>", Rcpt(d, "root@outside.example"));

        Assert.StartsWith("250 ", Rcpt(d, "root@senders.example", sender: "alice@example.net"), StringComparison.Ordinal);
        Assert.StartsWith("250 ", Rcpt(d, "root@senders.example", sender: "alice+lists@example.net"), StringComparison.Ordinal);
        Assert.StartsWith("250 ", Rcpt(d, "root@senders.example", sender: "carol@partner.example"), StringComparison.Ordinal);
        Assert.Equal("550 Invalid recipient: <root@senders.example>", Rcpt(d, "root@senders.example", sender: "bob@example.net"));
        Assert.Equal("550 Invalid recipient: <root@senders.example>", Rcpt(d, "root@senders.example", sender: ""));
    }

    [EndToEndFact]
    public void UpdatingAnUnknownOrNowBrokenTableFailsAndKeepsTheOldData()
    {
        string users = Write("users", "root@example.org\n");
        using var d = Daemon.Start(Config($"table users file:{users}")).WaitReady();
        var unknown = d.Ctl("update", "table", "nosuch");
        Assert.Equal((1, "command failed: no such table\n"), (unknown.Code, unknown.Out));

        Write("users", "root@example.org value\nlonely\n");
        var broken = d.Ctl("update", "table", "users");
        Assert.Equal(1, broken.Code);
        Assert.StartsWith("command failed: ", broken.Out, StringComparison.Ordinal);
        Assert.StartsWith("250", Rcpt(d, "root@example.org"), StringComparison.Ordinal);
    }

    [EndToEndFact]
    public void ADbMapMadeByMakemapIsUsedForRecipients()
    {
        string source = Write("users", "root@example.org\n");
        string makemap = Binary.LinkAs(_tables, "makemap");
        Assert.Equal(0, Binary.Run(makemap, ["-t", "set", source]).Code);
        using var d = Daemon.Start(Config($"table users db:{source}.db")).WaitReady();
        Assert.StartsWith("250", Rcpt(d, "root@example.org"), StringComparison.Ordinal);
        Assert.StartsWith("550", Rcpt(d, "alice@example.org"), StringComparison.Ordinal);
    }

    [EndToEndFact]
    public void ATableProgramThatDiesDefersMailAndTheDaemonKeepsRunning()
    {
        Write("table-test", Smtpd.Tests.Tables.ProcTableTests.Script.Replace("register|domain", "register|mailaddr", StringComparison.Ordinal) + "\n", 0b111_101_101);
        var env = new Dictionary<string, string> { ["SMTPD_LIBEXEC"] = _tables };
        using var d = Daemon.Start(Config("table users test:/etc/unused"), env: env).WaitReady();
        Assert.StartsWith("550", Rcpt(d, "root@example.org"), StringComparison.Ordinal);
        Assert.StartsWith("451", Rcpt(d, "die@example.org"), StringComparison.Ordinal);
        Wait.Until(() => d.Log.Contains("table-proc: users:", StringComparison.Ordinal), "the dead table program is logged");
        Assert.StartsWith("451", Rcpt(d, "root@example.org"), StringComparison.Ordinal);
        Assert.False(d.HasExited());
    }

    // OpenSMTPD opens a db map while it loads the configuration and refuses to start without it.
    [EndToEndFact]
    public void AMissingDbMapIsRefusedAtStart()
    {
        string conf = Write("missing-db.conf", Config($"table users db:{_tables}/missing.db").Replace("{PORT}", "2525", StringComparison.Ordinal));
        var r = Binary.Run(Binary.Require(), ["-n", "-f", conf]);
        Assert.Equal((1, $"{conf}:1: invalid configuration file {_tables}/missing.db for table \"users\": no such file\n"), (r.Code, r.Err));
    }

    [EndToEndFact]
    public void UpdateTableReopensASqliteDatabaseAndABrokenQueryKeepsTheOldOne()
    {
        string db = SqliteFile.Exec(Path.Combine(_tables, "users.sqlite"), "CREATE TABLE users (address TEXT); INSERT INTO users VALUES ('root@example.org');");
        File.SetUnixFileMode(db, (UnixFileMode)0b110_100_100);
        string conf = Write("users.conf", $"dbpath {db}\nquery_mailaddr SELECT address FROM users WHERE address=?\n");
        using var d = Daemon.Start(Config($"table users sqlite:{conf}")).WaitReady();
        Assert.StartsWith("250", Rcpt(d, "root@example.org"), StringComparison.Ordinal);
        Assert.StartsWith("550", Rcpt(d, "nobody@example.org"), StringComparison.Ordinal);

        // A database renamed into place is a new file: the open one is read until the update.
        string next = SqliteFile.Exec(Path.Combine(_tables, "next.sqlite"), "CREATE TABLE users (address TEXT); INSERT INTO users VALUES ('nobody@example.org');");
        File.SetUnixFileMode(next, (UnixFileMode)0b110_100_100);
        File.Move(next, db, overwrite: true);
        Assert.StartsWith("550", Rcpt(d, "nobody@example.org"), StringComparison.Ordinal);
        Assert.Equal((0, "command succeeded\n"), (d.Ctl("update", "table", "users").Code, d.Ctl("update", "table", "users").Out));
        Assert.StartsWith("250", Rcpt(d, "nobody@example.org"), StringComparison.Ordinal);

        Write("users.conf", $"dbpath {db}\nquery_mailaddr SELECT address FROM nosuch WHERE address=?\n");
        var broken = d.Ctl("update", "table", "users");
        Assert.Equal((1, "command failed: query_mailaddr: no such table: nosuch\n"), (broken.Code, broken.Out));
        Assert.StartsWith("250", Rcpt(d, "nobody@example.org"), StringComparison.Ordinal);
    }

    [EndToEndFact]
    public void AMissingSqliteDatabaseDefersMailWithALogLine()
    {
        string conf = Write("users.conf", $"dbpath {_tables}/missing.sqlite\nquery_mailaddr SELECT address FROM users WHERE address=?\n");
        using var d = Daemon.Start(Config($"table users sqlite:{conf}")).WaitReady();
        Assert.StartsWith("451", Rcpt(d, "root@example.org"), StringComparison.Ordinal);
        Wait.Until(() => d.Log.Contains($"warn: table-sqlite: users: {_tables}/missing.sqlite: unable to open database file (No such file or directory); lookups answer a temporary failure", StringComparison.Ordinal), "the missing database is logged");
        Assert.False(d.HasExited());
    }

    [EndToEndFact]
    public void UsingASqliteTableForAServiceItHasNoQueryForIsAConfigurationError()
    {
        string conf = Write("users.conf", $"dbpath {_tables}/users.sqlite\nquery_domain SELECT domain FROM domains WHERE domain=?\n");
        File.WriteAllText(Path.Combine(_tables, "smtpd.conf"), Config($"table users sqlite:{conf}").Replace("{PORT}", "2525", StringComparison.Ordinal));
        var r = Binary.Run(Binary.Require(), ["-n", "-f", Path.Combine(_tables, "smtpd.conf")]);
        Assert.Equal(1, r.Code);
        Assert.Contains($"table \"users\" may not be used for \"for rcpt-to\" lookups: {conf} has no query_mailaddr", r.Err, StringComparison.Ordinal);
    }

    [EndToEndFact]
    public void NewaliasesMakesARunningDaemonReloadAFileAliasesTable()
    {
        string aliases = Write("aliases", "postmaster: root\n");
        string users = Write("users", "bob@example.org\n");
        string config = $"table aliases file:{aliases}\ntable users file:{users}\nlisten on 127.0.0.1 port {{PORT}}\n"
            + "action \"local\" maildir alias <aliases>\nmatch from any for rcpt-to <users> action \"local\"\n";
        using var d = Daemon.Start(config).WaitReady();
        Assert.StartsWith("550", Rcpt(d, "bob@example.org"), StringComparison.Ordinal);

        Write("aliases", "postmaster: root\nbob: root\n");
        string newaliases = Binary.LinkAs(_tables, "newaliases");
        var r = Binary.Run(newaliases, ["-f", Path.Combine(d.Dir, "smtpd.conf")], new Dictionary<string, string> { ["SMTPD_SOCKET"] = d.Socket });
        if (!Binary.IsRoot)
        {
            Assert.Equal((1, "newaliases: need root privileges\n"), (r.Code, r.Err));
            return;
        }

        Assert.Equal((0, $"{aliases}: file table, asking smtpd to reload it\ncommand succeeded\n"), (r.Code, r.Out));
        Assert.StartsWith("250", Rcpt(d, "bob@example.org"), StringComparison.Ordinal);
    }
}
