// AUTH credential checks in the lookup agent: file: and db: (makemap-built) credentials tables
// holding SHA-512 and bcrypt crypt(3) hashes, in both "user:hash" and bare-hash form; a wrong
// password and an unknown user fail alike; a table that cannot answer is a temporary failure;
// a listener without a table hands the check to the parent (system users).
using System.Net;
using Smtpd.Config;
using Smtpd.Ctl;
using Smtpd.Ipc.Messages;
using Smtpd.Lka;
using Smtpd.Tables;
using Smtpd.Tests.Interop;
using Smtpd.Tests.Mda;

namespace Smtpd.Tests.Lka;

public sealed class LkaAuthenticatorTests : IDisposable
{
    private const AuthStatus Ok = AuthStatus.Ok;
    private const AuthStatus Fail = AuthStatus.Fail;
    private const AuthStatus TempFail = AuthStatus.TempFail;

    // The certificate files are not read: no handshake happens here.
    private const string Pki = "pki mx.example.org cert \"/etc/ssl/mx.crt\"\npki mx.example.org key \"/etc/ssl/mx.key\"\n";

    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    // alice's entry names its user, bob's is the bare hash: both forms table(5) allows.
    private static string Source => $"alice alice:{PosixCryptTests.Sha512Hash}\nbob {PosixCryptTests.BcryptHash}\nbroken x\n";

    private static (LkaAuthenticator Lka, TableSet Tables) Build(string conf, Func<string, string, ValueTask<AuthStatus>>? systemUsers = null)
    {
        var r = ConfigLoader.LoadFromString(Pki + conf + "\naction \"local\" maildir\nmatch from any for local action \"local\"\n", "test.conf");
        Assert.True(r.Success, string.Join("\n", r.Errors));
        var tables = new TableSet(r.Config!, "mx.example.org", [IPAddress.Loopback]);
        return (new LkaAuthenticator(r.Config!, tables, systemUsers ?? ((_, _) => throw new InvalidOperationException("no system users here"))), tables);
    }

    private static AuthStatus Ask(LkaAuthenticator lka, string user, string password, int listener = 0) =>
        lka.AuthenticateAsync(new LkaAuthenticate(7, listener, user, password)).AsTask().GetAwaiter().GetResult().Status;

    private string FileTable()
    {
        string path = Path.Combine(_dir.Path, "creds");
        File.WriteAllText(path, Source);
        return path;
    }

    private string DbTable()
    {
        string src = Path.Combine(_dir.Path, "creds-src");
        File.WriteAllText(src, Source);
        Assert.Equal(0, MakeMap.Run(["-o", src + ".db", src], newaliases: false));
        return src + ".db";
    }

    [Theory]
    [InlineData("file")]
    [InlineData("db")]
    public void TheRightPasswordPassesAndAnythingElseFails(string backend)
    {
        string path = backend == "file" ? FileTable() : DbTable();
        var (lka, _) = Build($"table creds {backend}:{path}\nlisten on 127.0.0.1 smtps pki mx.example.org auth <creds>");
        Assert.Equal(Ok, Ask(lka, "alice", "correct horse"));
        Assert.Equal(Ok, Ask(lka, "bob", "U*U"));
        Assert.Equal(Fail, Ask(lka, "alice", "correct horsE"));
        Assert.Equal(Fail, Ask(lka, "alice", "U*U"));
        Assert.Equal(Fail, Ask(lka, "bob", ""));
        Assert.Equal(Fail, Ask(lka, "mallory", "correct horse"));

        // An entry too short to hold a hash is a broken table, not a refusal.
        Assert.Equal(TempFail, Ask(lka, "broken", "x"));
    }

    [Fact]
    public void AMissingTableFileIsATemporaryFailure()
    {
        var (file, _) = Build($"table creds file:{Path.Combine(_dir.Path, "absent")}\nlisten on 127.0.0.1 smtps pki mx.example.org auth <creds>");
        Assert.Equal(TempFail, Ask(file, "alice", "correct horse"));
        var (db, _) = Build($"table creds db:{Path.Combine(_dir.Path, "absent.db")}\nlisten on 127.0.0.1 smtps pki mx.example.org auth <creds>");
        Assert.Equal(TempFail, Ask(db, "alice", "correct horse"));
    }

    [Fact]
    public void AnUndefinedTableIsATemporaryFailure()
    {
        var (_, tables) = Build("listen on 127.0.0.1");
        Assert.Equal(TempFail, LkaAuthenticator.Check(tables.Resolve(TableRef.Named("nosuch")), "alice", "correct horse"));
    }

    [Fact]
    public void AnInlineTableServesTheListenerItIsWrittenOn()
    {
        var (lka, _) = Build($"listen on 127.0.0.1\nlisten on 127.0.0.1 port 465 smtps pki mx.example.org auth {{ carol = \"{PosixCryptTests.Sha512Hash}\" }}");
        Assert.Equal(Ok, Ask(lka, "carol", "correct horse", listener: 1));
        Assert.Equal(Fail, Ask(lka, "carol", "wrong", listener: 1));
    }

    [Fact]
    public void AListenerWithoutATableAsksAboutSystemUsersAndAnUnknownListenerCannotAnswer()
    {
        var asked = new List<(string, string)>();
        var (lka, _) = Build("listen on 127.0.0.1 smtps pki mx.example.org auth", (user, password) =>
        {
            asked.Add((user, password));
            return ValueTask.FromResult(user == "root" ? Ok : Fail);
        });
        Assert.Equal(Ok, Ask(lka, "root", "toor"));
        Assert.Equal(Fail, Ask(lka, "alice", "correct horse"));
        Assert.Equal([("root", "toor"), ("alice", "correct horse")], asked);
        Assert.Equal(TempFail, Ask(lka, "alice", "correct horse", listener: 5));
        Assert.Equal(TempFail, Ask(lka, "alice", "correct horse", listener: -1));
        Assert.Equal(2, asked.Count);
    }

    [Fact]
    public void TheReplyAnswersTheRequestItCameWith()
    {
        var (lka, _) = Build($"table creds file:{FileTable()}\nlisten on 127.0.0.1 smtps pki mx.example.org auth <creds>");
        Assert.Equal(new LkaAuthenticateReply(99, Ok), lka.AuthenticateAsync(new LkaAuthenticate(99, 0, "alice", "correct horse")).AsTask().GetAwaiter().GetResult());
    }
}
