// Envelope files exactly as OpenSMTPD 7 writes them (field order, omitted empty fields,
// "%lld" numbers, "user@domain" addresses), built from envelope.c's dump rules.
namespace Smtpd.Tests.Queue;

internal static class EnvelopeGolden
{
    public static readonly string Mda = Lines(
        "version: 3",
        "dispatcher: local",
        "type: mda",
        "smtpname: mx.example.org",
        "helo: client.example.net",
        "hostname: client.example.net",
        "sockaddr: 192.0.2.10",
        "sender: alice@example.net",
        "rcpt: bob@example.org",
        "dest: bob@example.org",
        "ctime: 1700000000",
        "last-try: 0",
        "last-bounce: 0",
        "ttl: 345600",
        "retry: 0",
        "flags: authenticated",
        "dsn-notify: 0",
        "mda-user: bob");

    public static readonly string Mta = Lines(
        "version: 3",
        "dispatcher: relay",
        "tag: MSA",
        "type: mta",
        "smtpname: mx.example.org",
        "helo: [IPv6:2001:db8::1]",
        "hostname: client6.example.net",
        "username: alice",
        "errorline: 421 4.7.0 Try again later",
        "sockaddr: [2001:db8::1]",
        "sender: alice@example.net",
        "rcpt: carol@example.com",
        "dest: carol@example.com",
        "ctime: 1700000000",
        "last-try: 1700000600",
        "last-bounce: 0",
        "ttl: 345600",
        "retry: 3",
        "flags: authenticated internal",
        "dsn-notify: 6",
        "dsn-ret: HDRS",
        "dsn-envid: QQ314159",
        "dsn-orcpt: rfc822;carol@example.com",
        "esc-class: 4",
        "esc-code: 70");

    public static readonly string BounceDelayed = Lines(
        "version: 3",
        "dispatcher: local",
        "type: bounce",
        "smtpname: mx.example.org",
        "helo: mx.example.org",
        "hostname: localhost",
        "sockaddr: local",
        "sender: @",
        "rcpt: alice@example.net",
        "dest: alice@example.net",
        "ctime: 1700003600",
        "last-try: 0",
        "last-bounce: 0",
        "ttl: 345600",
        "retry: 0",
        "flags: bounce",
        "dsn-notify: 0",
        "bounce-ttl: 342000",
        "bounce-delay: 3600",
        "bounce-type: delayed");

    public static readonly string BounceFailed = Lines(
        "version: 3",
        "dispatcher: local",
        "type: bounce",
        "smtpname: mx.example.org",
        "helo: mx.example.org",
        "hostname: localhost",
        "errorline: 550 5.1.1 No such user",
        "sockaddr: local",
        "sender: @",
        "rcpt: alice@example.net",
        "dest: alice@example.net",
        "ctime: 1700003600",
        "last-try: 0",
        "last-bounce: 1700007200",
        "ttl: 345600",
        "retry: 1",
        "flags: bounce",
        "dsn-notify: 2",
        "dsn-ret: FULL",
        "esc-class: 5",
        "esc-code: 11",
        "bounce-type: failed");

    public static readonly string MdaExec = Lines(
        "version: 3",
        "dispatcher: deliver",
        "type: mda",
        "smtpname: mx.example.org",
        "helo: mail.example.net",
        "hostname: mail.example.net",
        "sockaddr: [fe80::1%eth0]",
        "sender: jörg@bücher.example",
        "rcpt: dave+lists@example.org",
        "dest: dave@example.org",
        "ctime: 1700000000",
        "last-try: 0",
        "last-bounce: 0",
        "ttl: 86400",
        "retry: 0",
        "dsn-notify: 9",
        "mda-exec: /usr/local/bin/procmail -f -",
        "mda-subaddress: lists",
        "mda-user: dave");

    public static readonly string[] All = [Mda, Mta, BounceDelayed, BounceFailed, MdaExec];

    public static string Lines(params string[] lines) => string.Join('\n', lines) + "\n";
}
