// Monkey mode (SMTPD_MONKEY, see src/Runtime/Monkey.cs): with temporary failures injected at
// random into message creation, commits, recipient lookups and deliveries, and latency into the
// queue's IPC, a client that retries on 4xx gets every message through, never sees a 5xx
// (a monkey-free daemon gives none for this mail), and every message is delivered.
using System.Text.RegularExpressions;
using Smtpd.Interop;
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.Chaos;

[Collection("daemon")]
public class MonkeyModeTests
{
    private const string TestUser = "smtpdtest";

    [EndToEndFact]
    public void WithMonkeysClientsSeeOnly4xxAndRetryAndNoMessageIsLost()
    {
        if (Binary.IsRoot)
        {
            Binary.EnsureSystemUsers();
            Binary.EnsureUser(TestUser);
        }

        var user = Binary.IsRoot ? Posix.GetPwNam(TestUser)! : Posix.GetPwUid(Posix.GetEUid())!;
        string mail = Path.Combine(Path.GetTempPath(), "smtpd-monkey-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(mail);
        Binary.Run("chown", [$"{user.Uid}:{user.Gid}", mail]);
        using (var d = Daemon.Start(
                   $"listen on 127.0.0.1 port {{PORT}}\naction \"local\" maildir \"{mail}/%{{user.username}}\"\nmatch from any for local action \"local\"\n",
                   env: new Dictionary<string, string> { ["SMTPD_MONKEY"] = "0.25:7:5" }).WaitReady())
        {
            Wait.Until(() => d.Log.Contains("MONKEY MODE", StringComparison.Ordinal), "monkey mode is announced:\n" + d.Log);
            const int messages = 15;
            var permanent = new List<string>();
            int tempFailures = 0;
            for (int id = 0; id < messages; id++)
            {
                for (int attempt = 0; ; attempt++)
                {
                    Assert.True(attempt < 100, $"message {id} never got through:\n" + d.Log);
                    string? last = Transaction(d.Port, $"{user.Name}@localhost", $"Message-ID: <monkey-{id}@example.net>\nSubject: monkey {id}\n\nbody {id}\n");
                    if (last is null)
                    {
                        break;
                    }

                    if (last.StartsWith('5'))
                    {
                        permanent.Add($"message {id}: {last}");
                        break;
                    }

                    tempFailures++;
                }
            }

            Assert.True(permanent.Count == 0, "5xx with monkeys:\n" + string.Join('\n', permanent));
            Assert.True(tempFailures > 0, "the monkeys never struck");

            // Deferred deliveries are retried at once rather than after the scheduler's delay.
            string box = Path.Combine(mail, user.Name, "new");
            int Delivered() => Directory.Exists(box) ? Directory.GetFiles(box).Length : 0;
            var sinceSchedule = System.Diagnostics.Stopwatch.StartNew();
            Wait.Until(
                () =>
                {
                    if (sinceSchedule.ElapsedMilliseconds > 1000)
                    {
                        d.Ctl("schedule", "all");
                        sinceSchedule.Restart();
                    }

                    return Delivered() >= messages;
                },
                () => $"{Delivered()} of {messages} delivered:\n" + d.Log,
                TimeSpan.FromSeconds(90));
            var ids = Directory.GetFiles(box).Select(f => Regex.Match(File.ReadAllText(f), @"Message-ID: <monkey-(\d+)@").Groups[1].Value).ToHashSet();
            Assert.Equal(messages, ids.Count);
            Assert.DoesNotContain("result=PermFail", d.Log, StringComparison.Ordinal);
            Assert.Contains("monkey: temporary failure injected", d.Log, StringComparison.Ordinal);
        }

        Directory.Delete(mail, true);
    }

    /// <summary>One transaction: null when the message was accepted, else the first reply that was not the expected one (or why the connection failed).</summary>
    private static string? Transaction(int port, string to, string message)
    {
        try
        {
            using var c = new SmtpClientHelper(port);
            foreach (var (line, expected) in new[] { ("EHLO client.example.net", "250"), ("MAIL FROM:<sender@example.net>", "250"), ($"RCPT TO:<{to}>", "250"), ("DATA", "354") })
            {
                string r = c.Command(line);
                if (!r.StartsWith(expected, StringComparison.Ordinal))
                {
                    return r;
                }
            }

            c.Send(message.Replace("\n", "\r\n", StringComparison.Ordinal) + ".\r\n");
            string end = c.ReadReply();
            return end.StartsWith("250 ", StringComparison.Ordinal) ? null : end;
        }
        catch (IOException e)
        {
            return "4xx (connection: " + e.Message + ")";
        }
    }
}
