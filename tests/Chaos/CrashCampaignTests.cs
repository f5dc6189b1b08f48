// The crash campaign in the test suite (CHAOS_ROUNDS rounds, 12 by default; `make chaos` runs
// 1,000): no message acknowledged with 250 is lost or damaged by SIGKILL of any role or of the
// whole tree at any moment, and nothing stays in the spool once the queue has drained.
using Smtpd.Interop;
using Smtpd.Tests.TestSupport;
using Xunit.Abstractions;

namespace Smtpd.Tests.Chaos;

[Collection("daemon")]
public class CrashCampaignTests(ITestOutputHelper output)
{
    private const string TestUser = "smtpdtest";

    private static int Rounds => int.TryParse(Environment.GetEnvironmentVariable("CHAOS_ROUNDS"), out int n) && n > 0 ? n : 12;

    [EndToEndFact]
    public void AcknowledgedMailSurvivesSigkillOfAnyRoleOrTheWholeTreeAtAnyMoment()
    {
        if (Binary.IsRoot)
        {
            Binary.EnsureSystemUsers();
            Binary.EnsureUser(TestUser);
        }

        var user = Binary.IsRoot ? Posix.GetPwNam(TestUser)! : Posix.GetPwUid(Posix.GetEUid())!;
        string mail = Path.Combine(Path.GetTempPath(), "smtpd-chaos-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(mail);
        Binary.Run("chown", [$"{user.Uid}:{user.Gid}", mail]);
        string config = $"listen on 127.0.0.1 port {{PORT}}\naction \"local\" maildir \"{mail}/%{{user.username}}\"\nmatch from any for local action \"local\"\n";

        var campaign = new CrashCampaign(seed: 4242);
        var d = campaign.Run(() => Daemon.Start(config), $"{user.Name}@localhost", Rounds, output.WriteLine);
        using (d)
        {
            // The last daemon delivers what is left.
            Wait.Until(() => !Directory.EnumerateFiles(Path.Combine(d.Spool, "queue"), "*", SearchOption.AllDirectories).Any(), "the queue drains:\n" + d.Log, TimeSpan.FromSeconds(120));
            var (copies, corrupt) = CrashCampaign.Inspect(Path.Combine(mail, user.Name));
            var lost = campaign.AcknowledgedIds.Where(id => !copies.ContainsKey(id)).Order().ToList();
            int duplicated = campaign.AcknowledgedIds.Count(id => copies.GetValueOrDefault(id) > 1);
            output.WriteLine($"crash campaign: {campaign.Rounds} rounds ({campaign.RoleKills} role kills, {campaign.TreeKills} whole-tree kills), " +
                $"{campaign.Attempts} messages tried, {campaign.Acknowledged} acknowledged, {copies.Count} distinct delivered, " +
                $"{lost.Count} lost, {duplicated} delivered twice or more, {corrupt.Count} corrupt");

            Assert.True(campaign.Acknowledged > campaign.Rounds, $"only {campaign.Acknowledged} messages were acknowledged: no load");
            Assert.True(lost.Count == 0, $"acknowledged but lost: {string.Join(' ', lost)}\n" + d.Log);
            Assert.True(corrupt.Count == 0, "damaged in the mailbox: " + string.Join(' ', corrupt));

            // Nothing left behind: no envelope, no half-received message, nothing set aside as corrupt.
            var leftovers = new[] { "queue", "incoming", "corrupt", "temporary" }
                .Select(sub => Path.Combine(d.Spool, sub))
                .Where(Directory.Exists)
                .SelectMany(dir => Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
                .ToList();
            Wait.Until(() => leftovers.All(f => !File.Exists(f)), () => "spool leftovers: " + string.Join(' ', leftovers.Where(File.Exists)), TimeSpan.FromSeconds(30));
        }

        Directory.Delete(mail, true);
    }
}
