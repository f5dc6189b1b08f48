// smtpctl's view of the mta as an administrator uses it while mail is relayed: show relays,
// hosts and routes with OpenSMTPD's line formats, a route disabled after its first connection
// failed and enabled again by `resume route`, and the last error per domain in show hoststats.
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public class RelayControlTests
{
    private const string Sender = "smtpdtest@localhost";

    private static readonly string[] Zone =
    [
        "example.test. MX 10 mx-a.example.test.",
        "example.test. MX 20 mx-c.example.test.",
        "mx-a.example.test. A 127.0.0.11",
        "mx-c.example.test. A 127.0.0.13",
    ];

    [RelayFact]
    public void ShowRelaysHostsRoutesAndHoststatsWhileMailIsRelayedAndResumeRouteEnablesADisabledRoute()
    {
        using var w = new RelayWorld(Zone);
        // mx-a refuses connections; mx-c takes the mail but takes its time to answer the data.
        var c = w.Peer("c", "127.0.0.13", new JsonObject
        {
            ["name"] = "mx-c.example.test",
            ["data_delay"] = 5,
            ["rcpt"] = new JsonObject { ["nobody@example.test"] = "550 5.1.1 <nobody@example.test>: User unknown" },
        });
        using var daemon = w.Start("relay");
        Assert.Equal((0, string.Empty, string.Empty), daemon.Ctl("show", "routes"));
        w.Send(daemon, Sender, ["alice@example.test", "nobody@example.test"],
            $"From: {Sender}\r\nTo: alice@example.test\r\nSubject: slow\r\n\r\nhello\r\n");
        Wait.Until(() => c.Transcript().Any(e => (string?)e["event"] == "message"), () => "mx-c has the message:\n" + daemon.Log);

        // In the middle of the session: one relay with its session, both hosts, the failed route disabled.
        var relays = daemon.Ctl("show", "relays");
        Assert.Equal(0, relays.Code);
        Assert.Matches(@"^\[relay:example\.test,smtp\] refcount=2 ntask=0 nconn=1 lastconn=\d+s timeout=- wait=\n  connector \[\] refcount=2 nconn=1 lastconn=\d+s timeout=- flags=\n$", relays.Out);
        var hosts = daemon.Ctl("show", "hosts");
        Assert.Matches(@"^127\.0\.0\.11 mx-a\.example\.test refcount=2 nconn=0 lastconn=\d+s\n127\.0\.0\.13 mx-c\.example\.test refcount=2 nconn=1 lastconn=\d+s\n$", hosts.Out);
        var routes = daemon.Ctl("show", "routes");
        var m = Regex.Match(routes.Out, @"^(\d+)\. \[\] <-> 127\.0\.0\.11 \(mx-a\.example\.test\) ND-- nconn=0 nerror=1 penalty=1 timeout=(\d+)s\n(\d+)\. \[\] <-> 127\.0\.0\.13 \(mx-c\.example\.test\) ---- nconn=1 nerror=0 penalty=0 timeout=-\n$");
        Assert.True(m.Success, routes.Out);
        Assert.InRange(int.Parse(m.Groups[2].Value, System.Globalization.CultureInfo.InvariantCulture), 1, 15);
        Assert.Contains("smtp-out: Disabling route [] <-> 127.0.0.11 (mx-a.example.test) for 15s", daemon.Log, StringComparison.Ordinal);

        // After the session: the refused recipient is the domain's last error.
        Wait.Until(() => daemon.Log.Contains("mta disconnected reason=quit", StringComparison.Ordinal), () => "the session ends:\n" + daemon.Log);
        Assert.Matches(@"^example\.test\|\d{10}\|550 5\.1\.1 <nobody@example\.test>: User unknown\n$", daemon.Ctl("show", "hoststats").Out);

        // The disabled route is all that is left; resume route enables it, and it is gone from the listing.
        Assert.Matches(@"^\d+\. \[\] <-> 127\.0\.0\.11 \(mx-a\.example\.test\) ND-- ", daemon.Ctl("show", "routes").Out);
        Assert.Equal((0, "command succeeded\n", string.Empty), daemon.Ctl("resume", "route", m.Groups[1].Value));
        Wait.Until(() => daemon.Log.Contains("smtp-out: Enabling route [] <-> 127.0.0.11 (mx-a.example.test) per admin request", StringComparison.Ordinal), () => daemon.Log);
        Assert.Equal(string.Empty, daemon.Ctl("show", "routes").Out);
        Assert.Equal(string.Empty, daemon.Ctl("show", "relays").Out);

        // A route id is a positive decimal number.
        Assert.NotEqual(0, daemon.Ctl("resume", "route", "x1").Code);
    }
}
