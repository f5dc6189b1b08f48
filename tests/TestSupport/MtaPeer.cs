// A scriptable SMTP or LMTP server for relay tests (TestSupport/mta_peer.py run inside a test
// network namespace): what it answers comes from a JSON configuration, what it received is read
// back as the command lines (with the read that brought each: pipelined commands share one) and
// the raw DATA of each message, still CRLF and dot-stuffed as on the wire.
using System.Text.Json.Nodes;

namespace Smtpd.Tests.TestSupport;

internal sealed class MtaPeer
{
    private MtaPeer(string dir) => Dir = dir;

    public string Dir { get; }

    public static MtaPeer Start(NetNs ns, string dir, string address, JsonObject? options = null, int port = 25)
    {
        var cfg = options ?? [];
        cfg["address"] = address;
        cfg["port"] = port;
        cfg["out"] = dir;
        Directory.CreateDirectory(dir);
        string path = Path.Combine(dir, "peer.json");
        File.WriteAllText(path, cfg.ToJsonString());
        string script = Path.Combine(AppContext.BaseDirectory, "TestSupport", "mta_peer.py");
        ns.Start("python3", [script, path], Path.Combine(dir, "peer.log"));
        Wait.Until(() => File.Exists(Path.Combine(dir, "ready")) || (File.Exists(Path.Combine(dir, "peer.log")) && File.ReadAllText(Path.Combine(dir, "peer.log")).Contains("Error", StringComparison.Ordinal)),
            "the test peer listens on " + address);
        Assert.True(File.Exists(Path.Combine(dir, "ready")), File.ReadAllText(Path.Combine(dir, "peer.log")));
        return new MtaPeer(dir);
    }

    /// <summary>Every entry of the transcript: command lines ("line", "read") and events ("event": "message", "dropped in data").</summary>
    public List<JsonObject> Transcript()
    {
        string path = Path.Combine(Dir, "transcript.jsonl");
        return File.Exists(path) ? [.. File.ReadAllLines(path).Where(l => l.Length > 0).Select(l => JsonNode.Parse(l)!.AsObject())] : [];
    }

    /// <summary>The command lines received, in order.</summary>
    public List<string> Commands() => [.. Transcript().Where(e => e["line"] is not null).Select(e => (string)e["line"]!)];

    /// <summary>The raw DATA of every message taken, in order (CRLF, dot-stuffed, without the final dot).</summary>
    public List<byte[]> Messages() =>
        [.. Directory.GetFiles(Dir, "msg-*.eml").OrderBy(f => int.Parse(Path.GetFileNameWithoutExtension(f)[4..], System.Globalization.CultureInfo.InvariantCulture)).Select(File.ReadAllBytes)];
}
