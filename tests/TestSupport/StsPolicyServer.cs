// An MTA-STS policy host for relay tests: python3's http.server behind ssl on ADDRESS:443 inside
// a test network namespace, with a certificate from a TestPki, serving one policy at
// /.well-known/mta-sts.txt (as text/plain). Each request is recorded, so that a test can see
// how often the policy was fetched.
namespace Smtpd.Tests.TestSupport;

internal sealed class StsPolicyServer
{
    private const string Script = """
        import http.server, ssl, sys, os
        addr, cert, key, root = sys.argv[1:5]
        out = os.path.dirname(root)
        class Handler(http.server.SimpleHTTPRequestHandler):
            def __init__(self, *a, **kw):
                super().__init__(*a, directory=root, **kw)
            def log_message(self, fmt, *args):
                with open(os.path.join(out, "requests.log"), "a") as f:
                    f.write(self.requestline + " host=" + str(self.headers.get("Host")) + "\n")
        srv = http.server.ThreadingHTTPServer((addr, 443), Handler)
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(cert, key)
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
        open(os.path.join(out, "ready"), "w").close()
        srv.serve_forever()
        """;

    private StsPolicyServer(string dir) => Dir = dir;

    public string Dir { get; }

    /// <summary>Serves <paramref name="policy"/> for mta-sts.<paramref name="domain"/> on <paramref name="address"/>:443, with a certificate for that name from <paramref name="pki"/>.</summary>
    public static StsPolicyServer Start(NetNs ns, string dir, string address, TestPki pki, string domain, string policy)
    {
        string root = Path.Combine(dir, "www");
        Directory.CreateDirectory(Path.Combine(root, ".well-known"));
        File.WriteAllText(Path.Combine(root, ".well-known", "mta-sts.txt"), policy);
        var (cert, key) = pki.Issue("mta-sts-" + domain, names: "mta-sts." + domain);
        ns.Start("python3", ["-c", Script, address, cert, key, root], Path.Combine(dir, "server.log"));
        Wait.Until(() => File.Exists(Path.Combine(dir, "ready")) || (File.Exists(Path.Combine(dir, "server.log")) && File.ReadAllText(Path.Combine(dir, "server.log")).Contains("Error", StringComparison.Ordinal)),
            "the MTA-STS policy server listens on " + address);
        Assert.True(File.Exists(Path.Combine(dir, "ready")), File.ReadAllText(Path.Combine(dir, "server.log")));
        return new StsPolicyServer(dir);
    }

    /// <summary>The requests served so far ("GET /.well-known/mta-sts.txt HTTP/1.1 host=mta-sts.example.test").</summary>
    public List<string> Requests()
    {
        string path = Path.Combine(Dir, "requests.log");
        return File.Exists(path) ? [.. File.ReadAllLines(path)] : [];
    }
}
