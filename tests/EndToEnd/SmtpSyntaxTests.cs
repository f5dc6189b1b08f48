// Malformed host names and addresses sent by a real client (python3 smtplib) to the real daemon
// get OpenSMTPD 7.8's refusals, the session goes on afterwards, and HELP answers in our own words.
using Smtpd.Tests.TestSupport;

namespace Smtpd.Tests.EndToEnd;

[Collection("daemon")]
public class SmtpSyntaxTests
{
    private static readonly string s_label64 = new('d', 64);

    public SmtpSyntaxTests()
    {
        if (Binary.IsRoot)
        {
            Binary.EnsureSystemUsers();
        }
    }

    [EndToEndFact]
    public void SmtplibSeesTheRefusalsOfBadNamesAndAddressesAndOurHelpText()
    {
        using var d = Daemon.Start().WaitReady();

        // Each line: what was sent, then the reply code and text as smtplib parsed them.
        string script = $$"""
            import smtplib
            s = smtplib.SMTP('127.0.0.1', {{d.Port}})
            def show(what, reply):
                print(what + ' -> ' + str(reply[0]) + ' ' + reply[1].decode().replace('\n', '|'))
            show('EHLO bad..name', s.ehlo('bad..name'))
            show('EHLO 64-octet label', s.ehlo('{{s_label64}}.example'))
            show('EHLO client.example', (s.ehlo('client.example')[0], b''))
            show('MAIL double dot', s.mail('a@b..example'))
            show('MAIL 64-octet label', s.mail('a@{{s_label64}}.example'))
            show('MAIL good', s.mail('a@client.example'))
            show('RCPT double dot', s.rcpt('bob@b..example'))
            show('RCPT 64-octet label', s.rcpt('bob@{{s_label64}}.example'))
            show('HELP', s.docmd('HELP'))
            s.quit()
            """;
        var r = Binary.Run("python3", ["-c", script]);
        Assert.True(r.Code == 0, r.Err);
        Assert.Equal(
            [
                "EHLO bad..name -> 501 5.5.4 Invalid command arguments: Invalid domain name",
                "EHLO 64-octet label -> 501 5.5.4 Invalid command arguments: Invalid domain name",
                "EHLO client.example -> 250 ",
                "MAIL double dot -> 553 5.1.0 Sender address syntax error",
                "MAIL 64-octet label -> 553 5.1.0 Sender address syntax error",
                "MAIL good -> 250 2.0.0 Ok",
                "RCPT double dot -> 501 5.1.3 Recipient address syntax error",
                "RCPT 64-octet label -> 501 5.1.3 Recipient address syntax error",
                "HELP -> 214 2.0.0 This is smtpd, a mail transfer agent for Linux written in C#|" +
                    "2.0.0 To report a problem with this server, write to its postmaster|" +
                    "2.0.0 with full details|2.0.0 End of HELP info",
            ],
            r.Out.TrimEnd('\n').Split('\n'));
        Assert.DoesNotContain("OpenSMTPD", r.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("openbsd", r.Out, StringComparison.OrdinalIgnoreCase);
    }

    [EndToEndFact]
    public void SwaksIsRefusedWithA501ForAnEmptyLabelInItsEhloName()
    {
        using var d = Daemon.Start().WaitReady();
        var r = Binary.Run("swaks", ["--server", $"127.0.0.1:{d.Port}", "--ehlo", "bad..name", "--to", "root@localhost", "--quit-after", "EHLO"]);
        Assert.Contains("<** 501 5.5.4 Invalid command arguments: Invalid domain name", r.Out, StringComparison.Ordinal);
    }
}
