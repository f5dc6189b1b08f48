// A local OCSP responder for stapling tests: `openssl ocsp` answering for a TestPki's CA from an
// index file (valid or revoked certificates), signed by the CA itself, with nextUpdate an hour on.
using System.Diagnostics;

namespace Smtpd.Tests.TestSupport;

internal sealed class OcspResponder : IDisposable
{
    private readonly Process _process;

    private OcspResponder(Process process, int port)
    {
        _process = process;
        Port = port;
    }

    public int Port { get; }

    /// <summary>The URL certificates name for this responder.</summary>
    public static string Url(int port) => $"http://127.0.0.1:{port}/";

    public static OcspResponder Start(TestPki pki, string index, int port)
    {
        var psi = new ProcessStartInfo("openssl")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (string a in new[] { "ocsp", "-index", index, "-port", port.ToString(System.Globalization.CultureInfo.InvariantCulture), "-rsigner", pki.CaCert, "-rkey", pki.CaKey, "-CA", pki.CaCert, "-nmin", "60", "-ignore_err" })
        {
            psi.ArgumentList.Add(a);
        }

        var p = Process.Start(psi)!;
        var output = new System.Collections.Concurrent.ConcurrentQueue<string>();
        p.OutputDataReceived += (_, e) => output.Enqueue(e.Data ?? string.Empty);
        p.ErrorDataReceived += (_, e) => output.Enqueue(e.Data ?? string.Empty);
        p.BeginOutputReadLine();
        p.BeginErrorReadLine();

        // Not probed by connecting: openssl ocsp serves one connection at a time and would wait
        // on the probe's forever.
        Wait.Until(() => p.HasExited || output.Any(l => l.Contains("waiting for OCSP client connections", StringComparison.Ordinal)), "openssl ocsp listens on port " + port);
        Assert.False(p.HasExited, "openssl ocsp exited");
        return new OcspResponder(p, port);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
    }
}
