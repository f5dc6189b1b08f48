using Smtpd.Mda;

namespace Smtpd.Tests.Mda;

public class MdaVariablesTests
{
    private static readonly MdaVariableContext Ctx = new()
    {
        SenderUser = "alice",
        SenderDomain = "example.net",
        RcptUser = "User+Tag",
        RcptDomain = "Example.org",
        DestUser = "gilles",
        DestDomain = "example.org",
        UserName = "gilles",
        UserDirectory = "/home/gilles",
    };

    private static string Expand(string format, MdaVariableContext? ctx = null)
    {
        Assert.True(MdaVariables.TryExpand(format, ctx ?? Ctx, out string result, out var error), $"{format}: {error}");
        Assert.Equal(MdaExpandError.None, error);
        return result;
    }

    private static MdaExpandError Failure(string format, MdaVariableContext? ctx = null)
    {
        Assert.False(MdaVariables.TryExpand(format, ctx ?? Ctx, out _, out var error), format);
        Assert.NotEqual(MdaExpandError.None, error);
        Assert.Null(MdaVariables.Expand(format, ctx ?? Ctx));
        return error;
    }

    [Theory]
    [InlineData("%{sender}", "alice@example.net")]
    [InlineData("%{sender.user}", "alice")]
    [InlineData("%{sender.domain}", "example.net")]
    [InlineData("%{rcpt}", "User+Tag@Example.org")]
    [InlineData("%{rcpt.user}", "User+Tag")]
    [InlineData("%{rcpt.domain}", "Example.org")]
    [InlineData("%{dest}", "gilles@example.org")]
    [InlineData("%{dest.user}", "gilles")]
    [InlineData("%{dest.domain}", "example.org")]
    [InlineData("%{user.username}", "gilles")]
    [InlineData("%{user.directory}", "/home/gilles")]
    [InlineData("%{mbox.from}", "alice@example.net")]
    [InlineData("%{RCPT.DOMAIN}", "Example.org")]
    [InlineData("/var/mail/%{user.username}/Maildir", "/var/mail/gilles/Maildir")]
    [InlineData("100%% sure %{dest.user}", "100% sure gilles")]
    [InlineData("%%{rcpt}", "%{rcpt}")]
    [InlineData("%{a{b}", null)]
    [InlineData("% alone %x %", "% alone %x %")]
    [InlineData("~/Maildir", "/home/gilles/Maildir")]
    [InlineData("x~/Maildir", "x~/Maildir")]
    [InlineData("", "")]
    public void ExpandsEachVariable(string format, string? expected)
    {
        if (expected is null)
        {
            Assert.Equal(MdaExpandError.UnknownVariable, Failure(format));
            return;
        }

        Assert.Equal(expected, Expand(format));
    }

    [Theory]
    [InlineData("%{rcpt.domain[0]}", "E")]
    [InlineData("%{rcpt.domain[1]}", "x")]
    [InlineData("%{rcpt.domain[8:]}", "org")]
    [InlineData("%{rcpt.domain[-3:]}", "org")]
    [InlineData("%{rcpt.domain[0:6]}", "Example")]
    [InlineData("%{rcpt.domain[0:-4]}", "Example")]
    [InlineData("%{rcpt.domain[:]}", "Example.org")]
    [InlineData("%{rcpt.domain[:2]}", "Exa")]
    [InlineData("%{rcpt.domain[5:100]}", "le.org")]
    [InlineData("%{user.username[1:4]}", "ille")]
    [InlineData("%{user.username[1:5]}", "illes")]
    [InlineData("%{user.username[ 2: +3]}", "ll")]
    [InlineData("%{dest.user[0]}/%{dest.user[1]}/%{dest.user}", "g/i/gilles")]
    public void SlicesAreByteOffsetsWithAnInclusiveEnd(string format, string expected)
    {
        // smtpd.conf(5)'s examples use "example.org"; the end offset is inclusive, as mda_variables.c has it.
        Assert.Equal(expected, Expand(format));
    }

    [Theory]
    [InlineData("%{rcpt:lowercase}", "user+tag@example.org")]
    [InlineData("%{rcpt:uppercase}", "USER+TAG@EXAMPLE.ORG")]
    [InlineData("%{rcpt:strip}", "User@Example.org")]
    [InlineData("%{rcpt:lowercase|strip}", "user@example.org")]
    [InlineData("%{rcpt.user:strip}", "User")]
    [InlineData("%{rcpt:LowerCase}", "user+tag@example.org")]
    [InlineData("%{sender:raw|uppercase}", "ALICE@EXAMPLE.NET")]
    public void ModifiersApplyInOrder(string format, string expected)
    {
        Assert.Equal(expected, Expand(format));
    }

    [Fact]
    public void StripUsesTheConfiguredDelimiter()
    {
        var ctx = Ctx with { RcptUser = "a-b+c", SubaddressingDelimiter = "-" };
        Assert.Equal("a@Example.org", Expand("%{rcpt:strip}", ctx));
    }

    [Fact]
    public void UnsafeCharactersBecomeColonsUnlessRaw()
    {
        var ctx = Ctx with { RcptUser = "user+t?g", RcptDomain = "example.org" };
        Assert.Equal("user+t:g@example.org", Expand("%{rcpt}", ctx));
        Assert.Equal("user+t?g@example.org", Expand("%{rcpt:raw}", ctx));
        Assert.Equal("::::::::::::::", Expand("%{sender.user}", Ctx with { SenderUser = "!#$%&'*?`{|}~:" }));
    }

    [Fact]
    public void DirectoryAndMdaCommandAreNotSanitised()
    {
        var ctx = Ctx with { UserDirectory = "/home/we!rd", MdaCommand = "/usr/bin/procmail -f '$SENDER'" };
        Assert.Equal("/home/we!rd", Expand("%{user.directory}", ctx));
        Assert.Equal("wrap /usr/bin/procmail -f '$SENDER'", Expand("wrap %{mda}", ctx));
    }

    [Fact]
    public void NullSenderExpandsToEmptyOrMailerDaemon()
    {
        var ctx = Ctx with { SenderUser = "", SenderDomain = "" };
        Assert.Equal("<>", Expand("<%{sender}>", ctx));
        Assert.Equal("MAILER-DAEMON", Expand("%{mbox.from}", ctx));
        Assert.Equal("", Expand("%{sender[5:9]}", ctx));
    }

    [Theory]
    [InlineData("%{nope}", nameof(MdaExpandError.UnknownVariable))]
    [InlineData("%{}", nameof(MdaExpandError.UnknownVariable))]
    [InlineData("%{rcpt.domain:}", nameof(MdaExpandError.BadModifier))]
    [InlineData("%{rcpt:bogus}", nameof(MdaExpandError.BadModifier))]
    [InlineData("%{rcpt:lowercase|}", nameof(MdaExpandError.BadModifier))]
    [InlineData("%{rcpt.domain[0]:lowercase}", nameof(MdaExpandError.BadModifier))]
    [InlineData("%{mda}", nameof(MdaExpandError.UnknownVariable))]
    [InlineData("%{rcpt[]}", nameof(MdaExpandError.BadSlice))]
    [InlineData("%{rcpt]0[}", nameof(MdaExpandError.BadSlice))]
    [InlineData("%{rcpt[x]}", nameof(MdaExpandError.BadSlice))]
    [InlineData("%{rcpt[1x]}", nameof(MdaExpandError.BadSlice))]
    [InlineData("%{rcpt[1:2:3]}", nameof(MdaExpandError.BadSlice))]
    [InlineData("%{rcpt[1025]}", nameof(MdaExpandError.BadSlice))]
    [InlineData("%{rcpt[:-1025]}", nameof(MdaExpandError.BadSlice))]
    [InlineData("%{user.username[6]}", nameof(MdaExpandError.BadSlice))]
    [InlineData("%{user.username[-1]}", nameof(MdaExpandError.BadSlice))]
    [InlineData("%{user.username[-7:]}", nameof(MdaExpandError.BadSlice))]
    [InlineData("%{user.username[4:2]}", nameof(MdaExpandError.BadSlice))]
    [InlineData("%{rcpt.domain:lowercase[0]}", nameof(MdaExpandError.UnknownVariable))]
    public void ErrorsMatchOpenSmtpd(string format, string expected)
    {
        Assert.Equal(expected, Failure(format).ToString());
    }

    [Fact]
    public void TheResultMustStayBelow1024Bytes()
    {
        Assert.Equal(new string('a', 1023), Expand(new string('a', 1023)));
        Assert.Equal(MdaExpandError.TooLong, Failure(new string('a', 1024)));

        var ctx = Ctx with { UserName = new string('u', 1000) };
        Assert.Equal(new string('x', 23) + ctx.UserName, Expand(new string('x', 23) + "%{user.username}", ctx));
        Assert.Equal(MdaExpandError.TooLong, Failure(new string('x', 24) + "%{user.username}", ctx));
    }

    [Fact]
    public void AValueMustFitTheExpansionBuffer()
    {
        Assert.Equal(new string('u', 1022), Expand("%{user.username}", Ctx with { UserName = new string('u', 1022) }));
        Assert.Equal(MdaExpandError.TooLong, Failure("%{user.username}", Ctx with { UserName = new string('u', 1023) }));
        Assert.Equal(MdaExpandError.TooLong, Failure("%{user.username}", Ctx with { UserName = new string('u', 1024) }));
        Assert.Equal(MdaExpandError.TooLong, Failure("%{sender}", Ctx with { SenderUser = new string('u', 600), SenderDomain = new string('d', 500) }));
    }

    [Fact]
    public void WhatOpenSmtpdLeavesAloneComesBackUnexpanded()
    {
        Assert.Equal("/bin/deliver %{rcpt", Expand("/bin/deliver %{rcpt"));
        string longToken = "%{" + new string('r', 128) + "} %{rcpt}";
        Assert.Equal(longToken, Expand(longToken));
        Assert.Equal(MdaExpandError.UnknownVariable, Failure("%{" + new string('r', 127) + "}"));
        var ctx = Ctx with { UserDirectory = "/" + new string('h', 1022) };
        Assert.Equal("~/%{rcpt}", Expand("~/%{rcpt}", ctx));
    }

    [Fact]
    public void MultiByteValuesAreCountedInBytes()
    {
        var ctx = Ctx with { UserName = "h\u00e9lo" };
        Assert.Equal("lo", Expand("%{user.username[3:]}", ctx));
        Assert.Equal("h\u00e9lo", Expand("%{user.username}", ctx));
        Assert.Equal("H\u00e9LO", Expand("%{user.username:uppercase}", ctx));
    }

    [Fact]
    public void RandomFormatsNeverThrow()
    {
        const string alphabet = "%{}[]:|-+0123456789 ~/rcpt.userdomainsendermbox.fromdestlowercaseuppercasestripraw";
        var rng = new Random(1024);
        for (int i = 0; i < 2000; i++)
        {
            var chars = new char[rng.Next(0, 40)];
            for (int k = 0; k < chars.Length; k++)
            {
                chars[k] = alphabet[rng.Next(alphabet.Length)];
            }

            bool ok = MdaVariables.TryExpand(new string(chars), Ctx, out string result, out var error);
            Assert.Equal(ok, error == MdaExpandError.None);
            Assert.NotNull(result);
        }
    }

    [Fact]
    public void InAPathASlashFromAnAddressBecomesAColonButTheHomeKeepsItsOwn()
    {
        var ctx = Ctx with { RcptUser = "bob/.Sent", DestUser = "a/b" };
        Assert.Equal("/home/gilles/Maildir/bob:.Sent/a:b", Expand("~/Maildir/%{rcpt.user:raw}/%{dest.user}", ctx with { ForPath = true }));
        Assert.Equal("/home/gilles/Maildir/bob/.Sent/a/b", Expand("~/Maildir/%{rcpt.user:raw}/%{dest.user}", ctx));
    }
}
