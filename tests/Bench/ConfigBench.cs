// `smtpd -n` speed on a large configuration: a generated file with 1000 match rules (and the
// tables and actions they name), parsed and checked in-process, and by the AOT binary when
// SMTPD_BIN names it (whole process: start, parse, check, exit).
using System.Diagnostics;
using System.Text;
using Smtpd.Config;

namespace Smtpd.Bench;

internal static class ConfigBench
{
    public static int Run(int rules)
    {
        // smtpd -n checks that table files exist, so the aliases file is the benchmark's own
        // (a machine without an MTA has no /etc/aliases).
        string aliases = Path.Combine(Path.GetTempPath(), $"smtpd-bench-{rules}.aliases");
        File.WriteAllText(aliases, "postmaster: root\n");
        string text = Generate(rules, aliases);
        string path = Path.Combine(Path.GetTempPath(), $"smtpd-bench-{rules}.conf");
        File.WriteAllText(path, text);

        var empty = new Dictionary<string, string>();
        _ = ConfigLoader.Load(path, empty);
        const int Rounds = 20;
        var sw = Stopwatch.StartNew();
        for (int i = 0; i < Rounds; i++)
        {
            var r = ConfigLoader.Load(path, empty);
            if (!r.Success)
            {
                Console.Error.WriteLine(string.Join('\n', r.Errors));
                return 1;
            }
        }

        sw.Stop();
        Console.WriteLine($"config: {rules} rules, {text.Length / 1024} KiB: parse+check {sw.Elapsed.TotalMilliseconds / Rounds:F1} ms in-process (JIT, warm)");

        string? bin = Environment.GetEnvironmentVariable("SMTPD_BIN");
        if (bin is { Length: > 0 } && File.Exists(bin))
        {
            var times = new List<double>();
            for (int i = 0; i < 10; i++)
            {
                var psi = new ProcessStartInfo(bin, ["-n", "-f", path]) { RedirectStandardError = true };
                var t = Stopwatch.StartNew();
                using var p = Process.Start(psi)!;
                string err = p.StandardError.ReadToEnd();
                p.WaitForExit();
                t.Stop();
                if (p.ExitCode != 0)
                {
                    Console.Error.WriteLine($"config: `smtpd -n` refused the file:\n{err}");
                    return 1;
                }

                times.Add(t.Elapsed.TotalMilliseconds);
            }

            times.Sort();
            Console.WriteLine($"config: `smtpd -n` on it (AOT, whole process): median {times[times.Count / 2]:F1} ms, max {times[^1]:F1} ms");
        }

        File.Delete(path);
        File.Delete(aliases);
        return 0;
    }

    private static string Generate(int rules, string aliases)
    {
        var sb = new StringBuilder();
        sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"table aliases file:{aliases}\n");
        sb.Append("listen on 127.0.0.1 port 2525\n");
        sb.Append("action \"local\" maildir alias <aliases>\n");
        sb.Append("action \"relay\" relay\n");
        for (int i = 0; i < rules; i++)
        {
            sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"table t{i} {{ \"user{i}@example.org\", \"other{i}@example.org\" }}\n");
            sb.Append(System.Globalization.CultureInfo.InvariantCulture, $"match from src 192.0.2.{i % 250}/32 mail-from <t{i}> for domain \"d{i}.example.org\" action \"{(i % 2 == 0 ? "local" : "relay")}\"\n");
        }

        sb.Append("match for local action \"local\"\n");
        return sb.ToString();
    }
}
