// The lookup agent's answer to the dispatcher's "who is this delivery's user?": the system's
// password database by default, an action's userbase table (inline, file: or db:) otherwise;
// not found and "cannot answer" kept apart; the daemon's own user stands for the caller when
// the daemon is not root.
using System.Net;
using Smtpd.Config;
using Smtpd.Interop;
using Smtpd.Ipc.Messages;
using Smtpd.Lka;
using Smtpd.Tables;
using Smtpd.Tests.Mda;

namespace Smtpd.Tests.Lka;

public sealed class LkaUserinfoTests : IDisposable
{
    private readonly TempDir _dir = new();

    public void Dispose() => _dir.Dispose();

    private static LkaUserinfo Build(string conf, Func<string, PasswdEntry?>? getpwnam = null, Func<PasswdEntry?>? daemonUser = null)
    {
        var r = ConfigLoader.LoadFromString("listen on localhost\n" + conf + "\nmatch from any for any action \"local\"\n", "test.conf");
        Assert.True(r.Success, string.Join("\n", r.Errors));
        var tables = new TableSet(r.Config!, "mx.example.org", [IPAddress.Loopback]);
        return new LkaUserinfo(r.Config!, new LkaUserbase(tables, getpwnam ?? (name => LkaExpanderTests.Users.GetValueOrDefault(name))), daemonUser);
    }

    private static LkaUserinfoReply Ask(LkaUserinfo lka, string user, string dispatcher = "local") => lka.Lookup(new LkaUserinfoLookup(42, dispatcher, user));

    [Fact]
    public void WithoutAUserbaseTheSystemUserIsAnswered()
    {
        var lka = Build("action \"local\" maildir");
        Assert.Equal(new LkaUserinfoReply(42, UserinfoStatus.Found, "alice", 1001, 1001, "/home/alice"), Ask(lka, "alice"));
        Assert.Equal(new LkaUserinfoReply(42, UserinfoStatus.NotFound), Ask(lka, "zed"));
    }

    [Fact]
    public void TheRealPasswordDatabaseAnswersThroughGetpwnam()
    {
        var lka = Build("action \"local\" mbox", Posix.GetPwNam);
        var root = Ask(lka, "root");
        Assert.Equal((UserinfoStatus.Found, "root", 0u, 0u), (root.Status, root.Name, root.Uid, root.Gid));
        Assert.Equal(UserinfoStatus.NotFound, Ask(lka, "no-such-user-" + Guid.NewGuid().ToString("N")[..8]).Status);
    }

    [Fact]
    public void APasswordDatabaseThatCannotAnswerIsATemporaryFailure()
    {
        var lka = Build("action \"local\" maildir", _ => throw new PosixException(5, "getpwnam_r"));
        Assert.Equal(new LkaUserinfoReply(42, UserinfoStatus.TempFail), Ask(lka, "alice"));
    }

    [Fact]
    public void AnInlineUserbaseGivesTheVirtualUsersIdsAndHome()
    {
        var lka = Build("""
            table vusers { carol = "2001:2002:/var/vmail/carol" }
            action "local" maildir userbase <vusers>
            """);
        Assert.Equal(new LkaUserinfoReply(42, UserinfoStatus.Found, "carol", 2001, 2002, "/var/vmail/carol"), Ask(lka, "carol"));
        // A system user the userbase does not list is not found.
        Assert.Equal(UserinfoStatus.NotFound, Ask(lka, "alice").Status);
    }

    [Fact]
    public void AFileUserbaseIsReadAndAMalformedEntryIsATemporaryFailure()
    {
        string file = Path.Combine(_dir.Path, "users");
        File.WriteAllText(file, "# virtual users\ncarol 2001:2002:/var/vmail/carol\ndave not-a-userinfo\n");
        var lka = Build($"table vusers file:{file}\naction \"local\" maildir userbase <vusers>");
        Assert.Equal(new LkaUserinfoReply(42, UserinfoStatus.Found, "carol", 2001, 2002, "/var/vmail/carol"), Ask(lka, "carol"));
        Assert.Equal(UserinfoStatus.TempFail, Ask(lka, "dave").Status);
        Assert.Equal(UserinfoStatus.NotFound, Ask(lka, "erin").Status);
    }

    [Fact]
    public void ADbUserbaseIsReadAndAMissingOneIsATemporaryFailure()
    {
        string db = Tables.DbTableTests.MakeDb(_dir.Path, "users.db", ("carol", "2001:2002:/var/vmail/carol"));
        var lka = Build($"table vusers db:{db}\naction \"local\" maildir userbase <vusers>");
        Assert.Equal(new LkaUserinfoReply(42, UserinfoStatus.Found, "carol", 2001, 2002, "/var/vmail/carol"), Ask(lka, "carol"));
        File.Delete(db);
        Assert.Equal(UserinfoStatus.TempFail, Ask(lka, "carol").Status);
    }

    [Fact]
    public void AnEnvelopeForAnActionNoLongerConfiguredIsDeferred()
    {
        var lka = Build("action \"local\" maildir");
        Assert.Equal(UserinfoStatus.TempFail, Ask(lka, "alice", dispatcher: "gone").Status);
    }

    [Fact]
    public void TheDaemonUserIsTheCallerWhenNotRootAndLookedUpOtherwise()
    {
        var me = new PasswdEntry("tester", 4242, 4243, "/home/tester", "/bin/sh");
        var unprivileged = Build("action \"local\" maildir", daemonUser: () => me);
        Assert.Equal(new LkaUserinfoReply(42, UserinfoStatus.Found, "tester", 4242, 4243, "/home/tester"), Ask(unprivileged, "_smtpd"));

        var privileged = Build("action \"local\" maildir");
        Assert.Equal(UserinfoStatus.NotFound, Ask(privileged, "_smtpd").Status);

        // A userbase table decides for itself, whatever the mode.
        var virtualOnly = Build("table vusers { carol = \"2001:2002:/var/vmail/carol\" }\naction \"local\" maildir userbase <vusers>", daemonUser: () => me);
        Assert.Equal(UserinfoStatus.NotFound, Ask(virtualOnly, "_smtpd").Status);
    }
}
