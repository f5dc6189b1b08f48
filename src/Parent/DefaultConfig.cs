// The configuration used when /etc/smtpd.conf does not exist and none was named: local mail
// only, like OpenSMTPD's shipped smtpd.conf.
namespace Smtpd.Parent;

internal static class DefaultConfig
{
    public const string Text = """
        # Built-in default: accept mail for local users on the loopback interface and
        # deliver it to their Maildir; relay mail that local users send.
        table aliases file:/etc/aliases

        listen on localhost

        action "local" maildir alias <aliases>
        action "relay" relay

        match for local action "local"
        match from local for any action "relay"
        """;
}
