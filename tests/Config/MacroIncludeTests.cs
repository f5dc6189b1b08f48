// Macros (file definitions and -D overrides) and include handling (relative paths, loops, depth).
namespace Smtpd.Tests.Config;

using Smtpd.Config;

public sealed class MacroIncludeTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("smtpd-config-").FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);

    private string WriteFile(string name, string text)
    {
        var path = Path.Combine(_dir, name);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllText(path, text);
        return path;
    }

    private const string Rule = "match from any for any reject\n";

    private static Dictionary<string, string> NoMacros => [];

    [Fact]
    public void MacroExpandsToItsValue()
    {
        var result = ConfigLoader.LoadFromString("ifx = \"eth0\"\nlisten on $ifx\n" + Rule, "m.conf");
        Assert.True(result.Success, string.Join('\n', result.Errors));
        Assert.Equal("eth0", result.Config!.Listeners[0].Interface);
    }

    [Fact]
    public void CommandLineMacroOverridesTheFile()
    {
        var macros = new Dictionary<string, string> { ["ifx"] = "lo" };
        var result = ConfigLoader.LoadFromString("ifx = \"eth0\"\nlisten on $ifx\n" + Rule, "m.conf", macros);
        Assert.Equal("lo", result.Config!.Listeners[0].Interface);
    }

    [Fact]
    public void CommandLineMacroNeedsNoDefinitionInTheFile()
    {
        var result = ConfigLoader.LoadFromString("listen on $ifx port $port\n" + Rule, "m.conf", new Dictionary<string, string> { ["ifx"] = "lo", ["port"] = "2525" });
        Assert.Equal(2525, result.Config!.Listeners[0].Port);
    }

    [Fact]
    public void UndefinedMacroIsReportedWithItsLine()
    {
        var result = ConfigLoader.LoadFromString("\n\nlisten on $nothing\n", "m.conf");
        Assert.Equal("m.conf:3: macro \"nothing\" not defined", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void MacroUsedBeforeDefinitionIsUndefined()
    {
        var result = ConfigLoader.LoadFromString("listen on $a\na = \"lo\"\n", "m.conf");
        Assert.Equal("m.conf:1: macro \"a\" not defined", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void MacroInsideQuotesIsNotExpanded()
    {
        var result = ConfigLoader.LoadFromString("a = \"x\"\naction \"$a\" mbox\nmatch for local action \"$a\"\n", "m.conf");
        Assert.Equal("$a", result.Config!.Actions[0].Name);
    }

    [Fact]
    public void IncludeReadsRelativeToTheIncludingFile()
    {
        WriteFile("sub/tables.conf", "table aliases file:/etc/mail/aliases\ninclude \"actions.conf\"\n");
        WriteFile("sub/actions.conf", "action \"local\" mbox alias <aliases>\n");
        var main = WriteFile("smtpd.conf", "include \"sub/tables.conf\"\nmatch for local action \"local\"\n");
        var result = ConfigLoader.Load(main, NoMacros);
        Assert.True(result.Success, string.Join('\n', result.Errors));
        Assert.Equal("local", result.Config!.Actions[0].Name);
        Assert.Equal("aliases", result.Config.Tables[0].Name);
    }

    [Fact]
    public void ErrorsInIncludedFilesNameThatFile()
    {
        WriteFile("inc.conf", "\nlisten in lo\n");
        var main = WriteFile("smtpd.conf", "include \"inc.conf\"\nlisten on lo bogus\n");
        var result = ConfigLoader.Load(main, NoMacros);
        Assert.Equal(
            [
                "inc.conf:2: syntax error: expected \"on\" after \"listen\", got \"in\"",
                $"{main}:2: syntax error: expected a listen option, got \"bogus\"",
            ],
            result.Errors.Select(e => e.ToString()).ToArray());
    }

    [Fact]
    public void IncludeLoopIsAnError()
    {
        WriteFile("a.conf", "include \"b.conf\"\n");
        WriteFile("b.conf", "include \"a.conf\"\n");
        var main = WriteFile("smtpd.conf", "include \"a.conf\"\n");
        var result = ConfigLoader.Load(main, NoMacros);
        Assert.Equal("b.conf:1: include loop: \"a.conf\" is already being read", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void SelfIncludeIsAnError()
    {
        var main = WriteFile("smtpd.conf", "include \"smtpd.conf\"\n");
        var result = ConfigLoader.Load(main, NoMacros);
        Assert.Equal($"{main}:1: include loop: \"smtpd.conf\" is already being read", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void IncludeNestingIsLimited()
    {
        for (var i = 0; i < 30; i++)
        {
            WriteFile($"n{i}.conf", $"include \"n{i + 1}.conf\"\n");
        }
        WriteFile("n30.conf", "\n");
        var main = WriteFile("smtpd.conf", "include \"n0.conf\"\n");
        var result = ConfigLoader.Load(main, NoMacros);
        var error = Assert.Single(result.Errors);
        Assert.Contains("include nesting too deep", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void MissingIncludeIsAnError()
    {
        var main = WriteFile("smtpd.conf", "include \"nope.conf\"\n");
        var result = ConfigLoader.Load(main, NoMacros);
        Assert.Equal($"{main}:1: failed to include file \"nope.conf\": no such file", Assert.Single(result.Errors).ToString());
    }

    [Fact]
    public void MissingMainFileIsAnError()
    {
        var result = ConfigLoader.Load(Path.Combine(_dir, "absent.conf"), NoMacros);
        Assert.False(result.Success);
        Assert.Contains("cannot open configuration", Assert.Single(result.Errors).Message, StringComparison.Ordinal);
    }
}
