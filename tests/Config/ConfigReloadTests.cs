// What a reload may take over: rules, actions and tables; anything else is named as needing a restart.
using Smtpd.Config;

namespace Smtpd.Tests.Config;

public class ConfigReloadTests
{
    private const string Base = "table aliases { root = admin }\nlisten on 127.0.0.1 port 2525\naction \"local\" maildir alias <aliases>\nmatch for local action \"local\"\n";

    private static SmtpdConfig Load(string text)
    {
        var r = ConfigLoader.LoadFromString(text, "smtpd.conf");
        Assert.True(r.Config is not null, string.Join("\n", r.Errors));
        return r.Config!;
    }

    [Theory]
    [InlineData("# a comment moves every line down\n" + Base)]
    [InlineData(Base + "match from any for domain \"example.org\" action \"local\"\n")]
    [InlineData("scheduler limit max-inflight 10\nbounce warn-interval 1h, 6h\n" + Base)]
    [InlineData("table aliases { root = someone }\nlisten on 127.0.0.1 port 2525\naction \"local\" mbox alias <aliases>\nmatch for local action \"local\"\n")]
    public void RulesActionsTablesAndLayoutNeedNoRestart(string next) =>
        Assert.Empty(ConfigReload.NeedRestart(Load(Base), Load(next)));

    [Theory]
    [InlineData(Base + "listen on 127.0.0.1 port 2526\n", "listeners")]
    [InlineData("queue ttl 1d\n" + Base, "global settings (queue ttl)")]
    [InlineData("smtp limit max-mails 5\nqueue compression\n" + Base, "global settings (queue compression, smtp limit)")]
    [InlineData("pki mail.example.org cert \"/c.pem\"\npki mail.example.org key \"/k.pem\"\n" + Base, "pki/ca")]
    public void OtherChangesAreNamed(string next, string named) =>
        Assert.Equal([named], ConfigReload.NeedRestart(Load(Base), Load(next)));
}
