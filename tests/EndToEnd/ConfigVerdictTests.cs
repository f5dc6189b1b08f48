// smtpd -n gives OpenSMTPD 7.8's verdict on the corners of its grammar: what it accepts (and
// -n -v then prints in the modern form), what it refuses (every problem as file:line, exit 1),
// and its lexer's comment that a trailing backslash continues onto the next line.
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

public sealed class ConfigVerdictTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("smtpd-verdict-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string Write(string name, string text)
    {
        string path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private static (int Code, string Out, string Err) Check(string conf, bool verbose = false) =>
        Binary.Run(Binary.Require(), verbose ? ["-n", "-v", "-f", conf] : ["-n", "-f", conf]);

    [EndToEndFact]
    public void AcceptedCornersPassAndPrintInTheModernForm()
    {
        string conf = Write("a.conf",
            "f1 = \"no-rdns\"\nf2 = \"no-fcrdns\"\n"
            + "filter no-rdns phase connect match !rdns disconnect \"550 no rDNS\"\n"
            + "filter no-fcrdns phase connect match !fcrdns disconnect \"550 no FCrDNS\"\n"
            + "table users { \"a@example.org\" = \"alice@example.org\", bob = bob@example.org }\n"
            + "smtp max-message-size 1.5G\n"
            + "bounce warn-interval 1h, 2h, 3h, 4h, 5h\n"
            + "listen on 127.0.0.1 port 2525 filter { $f1 $f2 }\n"
            + "action \"local\" maildir virtual <users>\n"
            + "match from src { mx.example.org, 192.0.2.0/24 } for domain { example.org example.com } action \"local\"\n");
        var r = Check(conf, verbose: true);
        Assert.Equal(0, r.Code);
        // Listener filters work: no warning for them.
        Assert.Equal("configuration OK\n", r.Err);
        Assert.Contains("smtp max-message-size 1536M\n", r.Out, StringComparison.Ordinal);
        Assert.Contains("bounce warn-interval 1h, 2h, 3h, 4h\n", r.Out, StringComparison.Ordinal);
        Assert.Contains("listen on 127.0.0.1 port 2525 filter { \"no-rdns\", \"no-fcrdns\" }\n", r.Out, StringComparison.Ordinal);
        Assert.Contains("table users { \"a@example.org\" = \"alice@example.org\", \"bob\" = \"bob@example.org\" }\n", r.Out, StringComparison.Ordinal);
        Assert.Contains("match from src { \"mx.example.org\", \"192.0.2.0/24\" } for domain { \"example.org\", \"example.com\" } action \"local\"\n", r.Out, StringComparison.Ordinal);
    }

    [EndToEndFact]
    public void AUserbaseWhoseSqliteFileHasNoUserinfoQueryIsAcceptedWithANotice()
    {
        string sqlite = Write("sqlite.conf", $"dbpath {_dir}/db.sqlite\nquery_domain SELECT domain FROM domains WHERE domain=?\nquery_alias SELECT dest FROM aliases WHERE alias=?\n");
        string conf = Write("u.conf",
            $"table vusers sqlite:{sqlite}\n"
            + "listen on 127.0.0.1 port 2525\n"
            + "action \"virt\" maildir virtual <vusers> userbase <vusers>\n"
            + "match from any for domain <vusers> action \"virt\"\n");
        var r = Check(conf);
        Assert.Equal(0, r.Code);
        Assert.Equal(
            $"{conf}:3: warning: table \"vusers\" is used for userbase lookups but {sqlite} has no query_userinfo: such lookups fail temporarily\nconfiguration OK\n",
            r.Err);
    }

    [EndToEndFact]
    public void LegacyGlobalLinesAreTranslatedNotRefused()
    {
        var (cert, key) = TestPki.Create().Issue("mx", false, false, "mx.example.org");
        string conf = Write("legacy.conf",
            "queue encryption key \"0123456789abcdef0123456789abcdef\"\n"
            + "max-message-size 2.5M\n"
            + $"pki mx.example.org certificate \"{cert}\" key \"{key}\"\n"
            + "listen on 127.0.0.1 port 2525\n"
            + "accept for local deliver to mbox\n");
        var r = Check(conf, verbose: true);
        Assert.Equal(0, r.Code);
        Assert.Contains($"{conf}:1: legacy syntax translated: queue encryption key is now written queue encryption\n", r.Err, StringComparison.Ordinal);
        Assert.Contains($"{conf}:2: legacy syntax translated: max-message-size is now written smtp max-message-size\n", r.Err, StringComparison.Ordinal);
        Assert.EndsWith("configuration OK\n", r.Err, StringComparison.Ordinal);
        Assert.Contains("queue encryption \"0123456789abcdef0123456789abcdef\"\n", r.Out, StringComparison.Ordinal);
        Assert.Contains("smtp max-message-size 2560K\n", r.Out, StringComparison.Ordinal);
        Assert.Contains($"pki mx.example.org cert \"{cert}\"\npki mx.example.org key \"{key}\"\n", r.Out, StringComparison.Ordinal);
    }

    [EndToEndFact]
    public void RefusedCornersAreEachReportedWithFileAndLine()
    {
        string missing = Path.Combine(_dir, "absent-table");
        string conf = Write("b.conf",
            "table domains { example.org, example.com, }\n"
            + "mport = 25\n"
            + $"table aliases file:{missing}\n"
            + "listen on nosuchif0\n"
            + "queue encryption \"short\"\n"
            + "action \"relay\" relay srs\n"
            + "match from any for domain <domains> action \"relay\"\n");
        var r = Check(conf);
        Assert.Equal(1, r.Code);
        Assert.Equal(
            $"{conf}:1: syntax error: a comma must be followed by a table value, got \"}}\" (remove the trailing comma)\n"
            + $"{conf}:2: syntax error: expected a string after \"mport =\", got 25 (quote it: mport = \"25\")\n"
            + $"{conf}:3: invalid configuration file {missing} for table \"aliases\": no such file\n"
            + $"{conf}:4: invalid virtual ip or interface: \"nosuchif0\" (no interface, address or host name of that name)\n"
            + $"{conf}:5: invalid key for queue encryption: it must be 32 characters long, not 5 (e.g. the output of \"openssl rand -hex 16\")\n"
            + $"{conf}:6: action \"relay\": srs requires an srs key declared before this action (add \"srs key SECRET\" above it)\n",
            r.Err);
        Assert.Equal("", r.Out);
    }

    [EndToEndFact]
    public void CertificateFilesMustExistAndPkiNamesMatchTheirLowerCaseDeclaration()
    {
        string cert = Write("mx.crt", "certificate");
        string key = Path.Combine(_dir, "absent.key");
        string conf = Write("pki.conf",
            $"pki MX.example.org cert \"{cert}\"\npki mx.example.org key \"{key}\"\n"
            + "listen on 127.0.0.1 port 2525 tls pki MX.example.org\n"
            + "action \"relay\" relay pki mx.example.org\nmatch for any action \"relay\"\n");
        var r = Check(conf);
        Assert.Equal(1, r.Code);
        Assert.Equal(
            $"{conf}:1: pki \"mx.example.org\": failed to load key file \"{key}\": no such file\n"
            + $"{conf}:3: pki name not found: \"MX.example.org\" (pki names are declared in lower case: write \"mx.example.org\")\n",
            r.Err);
    }

    [EndToEndFact]
    public void CrlfLineEndsAreRefused()
    {
        string conf = Write("crlf.conf", "action \"local\" maildir\r\nmatch for local action \"local\"\r\n");
        var r = Check(conf);
        Assert.Equal(1, r.Code);
        Assert.StartsWith($"{conf}:1: syntax error: carriage return", r.Err, StringComparison.Ordinal);
        Assert.Contains($"{conf}:2: syntax error: carriage return", r.Err, StringComparison.Ordinal);
    }

    [EndToEndFact]
    public void ACommentEndingInABackslashSwallowsTheNextLine()
    {
        // The swallowed line would be an error; swallowed, it is never parsed.
        string ok = Write("c1.conf", "# see below \\\nlisten on nosuchif0\naction \"local\" maildir\nmatch for local action \"local\"\n");
        var accepted = Check(ok);
        Assert.Equal((0, "configuration OK\n"), (accepted.Code, accepted.Err));

        // The swallowed line declares the action the rule needs.
        string bad = Write("c2.conf", "# the local action \\\naction \"local\" maildir\nmatch for local action \"local\"\n");
        var refused = Check(bad);
        Assert.Equal((1, $"{bad}:3: undefined action \"local\"\n"), (refused.Code, refused.Err));
    }
}
