// smtpctl's command tree as OpenSMTPD's parser.c: exact words first, then typed parameters, then
// a unique keyword prefix; what does not parse lists the possibilities and gives -1.
using Smtpd.Ctl;

namespace Smtpd.Tests.Ctl;

public class SmtpCtlCommandTests
{
    private static (int Code, string Ran, string Errors) Run(string line)
    {
        string ran = string.Empty;
        var t = new CommandTree();
        t.Install("update table <str>", p => { ran = "update " + p[0].Text; return 0; });
        t.Install("show queue", _ => { ran = "queue"; return 0; });
        t.Install("show queue <msgid>", p => { ran = $"queue {p[0].Id:x8}"; return 0; });
        t.Install("show stats", _ => { ran = "stats"; return 0; });
        t.Install("show status", _ => { ran = "status"; return 0; });
        t.Install("remove <evpid>", p => { ran = $"remove {p[0].Id:x16}"; return 0; });
        t.Install("remove <msgid>", p => { ran = $"remove msg {p[0].Id:x8}"; return 0; });
        t.Install("remove all", _ => { ran = "remove all"; return 0; });
        var errors = new StringWriter();
        int code = t.Run(line.Split(' ', StringSplitOptions.RemoveEmptyEntries), errors);
        return (code, ran, errors.ToString());
    }

    [Theory]
    [InlineData("update table aliases", "update aliases")]
    [InlineData("up ta aliases", "update aliases")]
    [InlineData("sh q", "queue")]
    [InlineData("show queue 0a1b2c3d", "queue 0a1b2c3d")]
    [InlineData("show status", "status")]
    [InlineData("sh statu", "status")]
    [InlineData("remove 0a1b2c3d4e5f6071", "remove 0a1b2c3d4e5f6071")]
    [InlineData("remove 0a1b2c3d", "remove msg 0a1b2c3d")]
    [InlineData("rem a", "remove all")]
    public void ACommandRunsWithItsParameters(string line, string ran) => Assert.Equal((0, ran, string.Empty), Run(line));

    [Theory]
    [InlineData("update table", "possibilities are:\nupdate table <str>\n")]
    [InlineData("update table a b", "invalid command\n")]
    [InlineData("sh st", "possibilities are:\nshow queue\nshow stats\nshow status\n")]
    [InlineData("show queue 0a1b2c3x", "possibilities are:\nshow queue <msgid>\n")]
    [InlineData("show queue 00000000", "possibilities are:\nshow queue <msgid>\n")]
    [InlineData("remove 123", "possibilities are:\nremove <evpid>\nremove <msgid>\nremove all\n")]
    [InlineData("", "possibilities are:\nupdate\nshow\nremove\n")]
    public void WhatDoesNotParseListsThePossibilities(string line, string errors) => Assert.Equal((-1, string.Empty, errors), Run(line));
}
