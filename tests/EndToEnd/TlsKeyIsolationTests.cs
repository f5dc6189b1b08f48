// The security design of TLS: the network-facing dispatcher holds certificates only, the crypto
// role holds the private keys and signs each handshake. Proven from outside, by reading the
// processes' memory after a handshake: the key's private exponent (in OpenSSL's in-memory byte
// order and in file order) and its PEM text are nowhere in the dispatcher, and in the crypto role.
// OpenSSL is mapped by the roles that use it and no others.
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public class TlsKeyIsolationTests
{
    public TlsKeyIsolationTests()
    {
        if (Binary.IsRoot)
        {
            Binary.EnsureSystemUsers();
        }
    }

    // argv: pid, then needles in hex; prints the needles found in the process's readable memory.
    private const string SearchMemory = """
        import sys, re
        pid, needles = int(sys.argv[1]), [bytes.fromhex(h) for h in sys.argv[2:]]
        found = set()
        with open(f"/proc/{pid}/maps") as maps, open(f"/proc/{pid}/mem", "rb", 0) as mem:
            for line in maps:
                f = line.split()
                if f[1][0] != "r" or (len(f) > 5 and f[5] in ("[vvar]", "[vsyscall]")): continue
                start, end = (int(x, 16) for x in f[0].split("-"))
                try:
                    mem.seek(start); data = mem.read(end - start)
                except OSError:
                    continue
                for i, n in enumerate(needles):
                    if n in data: found.add(i)
        print(" ".join(str(i) for i in sorted(found)))
        """;

    private static byte[] PrivateExponent(string keyFile)
    {
        var r = Binary.Run("openssl", ["pkey", "-in", keyFile, "-noout", "-text"]);
        string text = r.Out;
        int from = text.IndexOf("privateExponent:", StringComparison.Ordinal);
        int to = text.IndexOf("prime1:", StringComparison.Ordinal);
        string hex = string.Concat(text[(from + "privateExponent:".Length)..to].Where(Uri.IsHexDigit));
        return Convert.FromHexString(hex).SkipWhile(b => b == 0).ToArray();
    }

    private static string Found(int pid, IEnumerable<byte[]> needles)
    {
        var r = Binary.Run("python3", ["-c", SearchMemory, pid.ToString(System.Globalization.CultureInfo.InvariantCulture), .. needles.Select(Convert.ToHexString)], timeout: TimeSpan.FromSeconds(120));
        Assert.True(r.Code == 0, r.Err);
        return r.Out.Trim();
    }

    [EndToEndFact(needsRoot: true)]
    public void AfterAHandshakeTheKeyIsInTheCryptoRolesMemoryAndNotInTheDispatchers()
    {
        var pki = TestPki.Create();
        var (cert, key) = pki.Issue("mx.example.org", false, false, "mx.example.org");
        string config = $"pki mx.example.org cert \"{cert}\" key \"{key}\"\n"
            + "listen on 127.0.0.1 port {PORT} tls pki mx.example.org\naction \"local\" maildir\nmatch for local action \"local\"\n";
        using var d = Daemon.Start(config).WaitReady();

        var r = Binary.Run("openssl", ["s_client", "-starttls", "smtp", "-connect", $"127.0.0.1:{d.Port}", "-CAfile", pki.CaCert, "-verify_return_error"], stdin: "", timeout: TimeSpan.FromSeconds(30));
        Assert.Contains("Verify return code: 0 (ok)", r.Out, StringComparison.Ordinal);
        Wait.Until(() => d.Log.Contains("smtp tls ciphers=", StringComparison.Ordinal), "the handshake completed");

        byte[] exponent = PrivateExponent(key);
        byte[] inMemoryOrder = [.. Enumerable.Reverse(exponent)];
        string pemLine = File.ReadAllLines(key)[2];
        byte[][] needles = [exponent[16..48], inMemoryOrder[16..48], System.Text.Encoding.ASCII.GetBytes(pemLine)];

        Assert.Equal(string.Empty, Found(d.Role("smtpd: dispatcher").Pid, needles));
        Assert.Contains("1", Found(d.Role("smtpd: crypto").Pid, needles).Split(' '));
    }

    [EndToEndFact]
    public void WithTlsOnlyTheDispatcherAndTheCryptoRoleMapOpenSsl()
    {
        var pki = TestPki.Create();
        string config = pki.PkiLine("mx.example.org") + "listen on 127.0.0.1 port {PORT} tls pki mx.example.org\naction \"local\" maildir\nmatch for local action \"local\"\n";
        using var d = Daemon.Start(config).WaitReady();
        foreach (var role in d.Roles())
        {
            string maps = File.ReadAllText($"/proc/{role.Pid}/maps");
            bool expected = role.CmdLine is "smtpd: dispatcher" or "smtpd: crypto";
            Assert.True(expected == maps.Contains("libssl.so.3", StringComparison.Ordinal), $"{role.CmdLine}: libssl mapped: {!expected}");
        }
    }
}
