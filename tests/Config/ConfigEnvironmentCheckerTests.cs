// The checks smtpd makes against the machine before it starts (and at smtpd -n): table files,
// table backends, certificate, key and CA files, listener interfaces. Each is a file:line error.
namespace Smtpd.Tests.Config;

using Smtpd.Config;

public sealed class ConfigEnvironmentCheckerTests : IDisposable
{
    private const string Rule = "match from any for any reject\n";

    private readonly string _dir = Directory.CreateTempSubdirectory("smtpd-config-env-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteFile(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        File.WriteAllText(path, text);
        return path;
    }

    private string Missing(string name) => Path.Combine(_dir, name);

    // Only "lo" and addresses exist; external backends live in the test directory.
    private ConfigEnvironment Environment => new()
    {
        ListenerHasAddress = l => l.Interface is "lo" or "127.0.0.1",
        LibexecDir = _dir,
    };

    private ConfigLoadResult Load(string text) => ConfigLoader.LoadFromString(text, "env.conf", null, Environment);

    private static string[] Errors(ConfigLoadResult result) => [.. result.Errors.Select(e => e.ToString())];

    [Fact]
    public void ReadableFilesAndKnownInterfacesPass()
    {
        var map = WriteFile("aliases", "# comment\nroot: alice\n[postmaster] root\n");
        var list = WriteFile("domains", "example.org\nexample.com\n");
        var db = WriteFile("map.db", "not really a db, but readable");
        var (cert, key) = Smtpd.Tests.TestSupport.TestPki.Create().Issue("c", false, false, "mx.example.org");
        WriteFile("table-custom", "#!/bin/sh\n");
        var result = Load(
            $"table aliases file:{map}\ntable domains \"{list}\"\ntable d db:{db}\ntable x custom:/etc/x.conf\ntable u getpwnam\n"
            + $"pki mx.example.org cert \"{cert}\"\npki mx.example.org key \"{key}\"\nca mx.example.org cert \"{cert}\"\n"
            + "listen on lo\nlisten on 127.0.0.1 port 2525\nlisten on socket\n" + Rule);
        Assert.True(result.Success, string.Join('\n', Errors(result)));
    }

    [Fact]
    public void AMissingTableFileIsAnErrorOfTheTableLine()
    {
        var path = Missing("absent");
        var result = Load($"listen on lo\ntable t file:{path}\n" + Rule);
        Assert.Equal([$"env.conf:2: invalid configuration file {path} for table \"t\": no such file"], Errors(result));
    }

    [Fact]
    public void AMalformedTableFileNamesItsLine()
    {
        var path = WriteFile("bad", "root alice\n\npostmaster\n");
        var result = Load($"table t \"{path}\"\n" + Rule);
        Assert.Equal([$"env.conf:1: invalid configuration file {path} for table \"t\": line 3: invalid map entry"], Errors(result));
    }

    // OpenSMTPD knows a file table's shape once it has read the file: the first entry decides.
    [Fact]
    public void AFileTableIsUsedAsTheListOrMapItsFileHolds()
    {
        var list = WriteFile("domains", "example.org\nexample.com\n");
        var map = WriteFile("aliases", "root: alice\n");
        var forced = WriteFile("forced", "# @list\nroot: alice\n");
        var result = Load(
            $"table domains file:{list}\ntable aliases file:{map}\ntable forced file:{forced}\n"
            + "action \"a\" mbox alias <domains>\naction \"b\" mbox alias <forced>\n"
            + "match from any for domain <aliases> action \"a\"\nmatch from any for domain <domains> action \"b\"\n");
        Assert.Equal(
            [
                "env.conf:4: table \"domains\" may not be used for alias lookups: it is a list, a map (key = value) is required",
                "env.conf:5: table \"forced\" may not be used for alias lookups: it is a list, a map (key = value) is required",
                "env.conf:6: table \"aliases\" may not be used for \"for domain\" lookups: it is a map, a list is required",
            ],
            Errors(result));
    }

    [Fact]
    public void ADirectoryIsNoTableFile()
    {
        var result = Load($"table t file:{_dir}\n" + Rule);
        Assert.Equal([$"env.conf:1: invalid configuration file {_dir} for table \"t\": is a directory"], Errors(result));
    }

    [Fact]
    public void AMissingDbFileIsAnError()
    {
        var path = Missing("absent.db");
        var result = Load($"table t db:{path}\n" + Rule);
        Assert.Equal([$"env.conf:1: invalid configuration file {path} for table \"t\": no such file"], Errors(result));
    }

    [Fact]
    public void AnUnknownBackendIsAnError()
    {
        var result = Load("table t nosuch:/etc/x.conf\n" + Rule);
        Assert.Equal([$"env.conf:1: table \"t\": backend \"nosuch\" does not exist (no {Path.Combine(_dir, "table-nosuch")})"], Errors(result));
    }

    [Fact]
    public void MissingCertificateKeyAndCaFilesAreErrors()
    {
        var cert = Missing("c.crt");
        var key = Missing("c.key");
        var result = Load($"pki mx.example.org cert \"{cert}\"\npki mx.example.org key \"{key}\"\nca mx.example.org cert \"{cert}\"\n" + Rule);
        Assert.Equal(
            [
                $"env.conf:1: pki \"mx.example.org\": failed to load certificate file \"{cert}\": no such file",
                $"env.conf:1: pki \"mx.example.org\": failed to load key file \"{key}\": no such file",
                $"env.conf:3: ca \"mx.example.org\": failed to load CA file \"{cert}\": no such file",
            ],
            Errors(result));
    }

    [Fact]
    public void AListenerWithoutAddressIsAnError()
    {
        var result = Load("listen on lo\nlisten on nosuchif0\nlisten on lo inet6 port 2525\n" + Rule);
        Assert.Equal(["env.conf:2: invalid virtual ip or interface: \"nosuchif0\" (no interface, address or host name of that name)"], Errors(result));
    }

    [Fact]
    public void EveryProblemIsReportedWithTheSyntaxErrorsInFileOrder()
    {
        var result = Load($"listen on nosuchif0\ntable t {{ a, }}\ntable u file:{Missing("u")}\nqueue encryption \"short\"\n" + Rule);
        Assert.Equal(
            [
                "env.conf:1: invalid virtual ip or interface: \"nosuchif0\" (no interface, address or host name of that name)",
                "env.conf:2: syntax error: a comma must be followed by a table value, got \"}\" (remove the trailing comma)",
                $"env.conf:3: invalid configuration file {Missing("u")} for table \"u\": no such file",
                "env.conf:4: invalid key for queue encryption: it must be 32 characters long, not 5 (e.g. the output of \"openssl rand -hex 16\")",
            ],
            Errors(result));
    }

    [Fact]
    public void WithoutAnEnvironmentNothingOutsideTheFileIsChecked()
    {
        var result = ConfigLoader.LoadFromString($"listen on nosuchif0\ntable t file:{Missing("t")}\n" + Rule, "env.conf");
        Assert.True(result.Success, string.Join('\n', Errors(result)));
    }
}
