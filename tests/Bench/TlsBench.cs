// STARTTLS throughput of the real daemon (SMTPD_BIN) at a given concurrency: sessions per second
// (connect, EHLO, STARTTLS, handshake, EHLO, QUIT), messages per second over STARTTLS (one small
// message per session), and the CPU the dispatcher and the crypto role spend per handshake (from
// /proc). The certificate is made with the openssl command; the client is our own TLS layer.
// Then the same against Postfix (smtpd_tls_security_level = may, same certificate) when an
// unpacked Postfix is there (TlsBenchPostfix) and we run as root.
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Smtpd.Tls;

namespace Smtpd.Bench;

internal static class TlsBench
{
    public static async Task<int> RunAsync(int sessions, int concurrency)
    {
        string? bin = Environment.GetEnvironmentVariable("SMTPD_BIN");
        if (bin is null || !File.Exists(bin))
        {
            Console.Error.WriteLine("tls: SMTPD_BIN must name the smtpd binary");
            return 1;
        }

        string dir = Directory.CreateTempSubdirectory("smtpd-tlsbench-").FullName;
        File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
        Directory.CreateDirectory(Path.Combine(dir, "empty"));
        Run("openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", $"{dir}/mx.key", "-out", $"{dir}/mx.crt", "-days", "3650", "-subj", "/CN=mx.example.org", "-addext", "subjectAltName=DNS:mx.example.org");
        File.SetUnixFileMode($"{dir}/mx.crt", (UnixFileMode)0b110_100_100);
        try
        {
            using var client = TlsClientContext.Create($"{dir}/mx.crt", null, null, null, out string error) ?? throw new InvalidOperationException(error);
            Port = FreePort();
            File.WriteAllText($"{dir}/smtpd.conf", $"pki mx.example.org cert \"{dir}/mx.crt\" key \"{dir}/mx.key\"\n"
                + $"listen on 127.0.0.1 port {Port} tls pki mx.example.org\naction \"drop\" mda \"/bin/true\"\nmatch from any for any action \"drop\"\n");
            var daemon = Process.Start(new ProcessStartInfo(bin, ["-d", "-f", $"{dir}/smtpd.conf", "--queue-dir", $"{dir}/spool", "--socket", $"{dir}/smtpd.sock", "--empty-dir", $"{dir}/empty"]) { RedirectStandardError = true, RedirectStandardOutput = true })!;
            _ = daemon.StandardError.ReadToEndAsync();
            _ = daemon.StandardOutput.ReadToEndAsync();
            try
            {
                await WaitForPortAsync();
                await MeasureAsync("ours", client, sessions, concurrency, () => TreeCpu(daemon.Id), "all its processes");
            }
            finally
            {
                daemon.Kill(entireProcessTree: true);
                await daemon.WaitForExitAsync();
            }

            if (TlsBenchPostfix.Missing is { } why)
            {
                Console.WriteLine($"tls: Postfix not measured: {why}");
                return 0;
            }

            Port = FreePort();
            using var postfix = TlsBenchPostfix.Start(Path.Combine(dir, "postfix"), Port, $"{dir}/mx.key", $"{dir}/mx.crt");
            await WaitForPortAsync();
            await MeasureAsync(postfix.Version, client, sessions, concurrency, postfix.Cpu, "all its processes");
            return 0;
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    private static async Task MeasureAsync(string server, TlsClientContext client, int sessions, int concurrency, Func<long> cpu, string cpuOf)
    {
        await LoadAsync(client, 40, 4, message: false); // warm-up
        long cpuBefore = cpu();
        double seconds = await LoadAsync(client, sessions, concurrency, message: false);
        long cpuTicks = cpu() - cpuBefore;
        double msgSeconds = await LoadAsync(client, sessions, concurrency, message: true);
        double cpuMs = cpuTicks * 1000.0 / 100 / sessions; // USER_HZ is 100
        Console.WriteLine($"tls: {server}: c={concurrency}: {sessions / seconds:F0} STARTTLS sessions/s, {sessions / msgSeconds:F0} messages/s over STARTTLS, {cpuMs:F2} ms CPU per session ({cpuOf})");
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    private static int Port { get; set; }

    private static async Task<double> LoadAsync(TlsClientContext client, int sessions, int concurrency, bool message)
    {
        int next = 0;
        var sw = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(async _ =>
        {
            while (Interlocked.Increment(ref next) <= sessions)
            {
                await SessionAsync(client, message);
            }
        });
        await Task.WhenAll(workers);
        return sw.Elapsed.TotalSeconds;
    }

    private static async Task SessionAsync(TlsClientContext client, bool message)
    {
        using var tcp = new TcpClient();
        await tcp.ConnectAsync(IPAddress.Loopback, Port);
        var plain = tcp.GetStream();
        await ReplyAsync(plain);
        await CommandAsync(plain, "EHLO bench.example.net");
        await CommandAsync(plain, "STARTTLS");
        await using var tls = await TlsStream.ConnectAsync(plain, client.Context, "mx.example.org", verify: true, CancellationToken.None);
        await CommandAsync(tls, "EHLO bench.example.net");
        if (message)
        {
            await CommandAsync(tls, "MAIL FROM:<bench@example.net>");
            await CommandAsync(tls, "RCPT TO:<nobody@localhost>");
            await CommandAsync(tls, "DATA");
            await CommandAsync(tls, "Subject: bench\r\n\r\nhello\r\n.");
        }

        await CommandAsync(tls, "QUIT");
    }

    private static async Task CommandAsync(Stream s, string line)
    {
        await s.WriteAsync(Encoding.ASCII.GetBytes(line + "\r\n"));
        await ReplyAsync(s);
    }

    // Reads until a reply's last line ("250 ...\r\n"); replies here are small.
    private static async Task ReplyAsync(Stream s)
    {
        var sb = new StringBuilder();
        byte[] b = new byte[1];
        while (true)
        {
            if (await s.ReadAsync(b) == 0)
            {
                throw new IOException("connection closed: " + sb);
            }

            sb.Append((char)b[0]);
            string text = sb.ToString();
            int start = text.LastIndexOf('\n', Math.Max(0, text.Length - 2));
            string last = text[(start + 1)..];
            if (text.EndsWith("\r\n", StringComparison.Ordinal) && last.Length >= 4 && last[3] == ' ')
            {
                if (last[0] is '4' or '5')
                {
                    throw new IOException("refused: " + last.Trim());
                }

                return;
            }
        }
    }

    private static async Task WaitForPortAsync()
    {
        for (int i = 0; i < 200; i++)
        {
            try
            {
                using var c = new TcpClient();
                await c.ConnectAsync(IPAddress.Loopback, Port);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(50);
            }
        }

        throw new InvalidOperationException("smtpd did not start listening");
    }

    /// <summary>CPU ticks of <paramref name="root"/>, its live children and its reaped ones (cutime, cstime).</summary>
    internal static long TreeCpu(int root)
    {
        long total = 0;
        foreach (int pid in Directory.GetDirectories("/proc").Select(Path.GetFileName).Where(n => int.TryParse(n, out _)).Select(n => int.Parse(n!, System.Globalization.CultureInfo.InvariantCulture)))
        {
            try
            {
                string stat = File.ReadAllText($"/proc/{pid}/stat");
                string[] f = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                if (pid == root || int.Parse(f[1], System.Globalization.CultureInfo.InvariantCulture) == root)
                {
                    total += f[11..15].Sum(t => long.Parse(t, System.Globalization.CultureInfo.InvariantCulture));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
            {
                // Gone meanwhile.
            }
        }

        return total;
    }

    internal static void Run(string file, params string[] args)
    {
        using var p = Process.Start(new ProcessStartInfo(file, args) { RedirectStandardError = true, RedirectStandardOutput = true })!;
        _ = p.StandardOutput.ReadToEnd();
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        if (p.ExitCode != 0)
        {
            throw new InvalidOperationException($"{file}: {err}");
        }
    }
}
