// The reserved words of smtpd.conf: a bare word from this list is a keyword, never a string.
// Behaviour reference: usr.sbin/smtpd/parse.y (lookup: its keyword table).
namespace Smtpd.Config;

internal static class Keywords
{
    // Kept sorted (ordinal) because IsKeyword uses a binary search; KeywordsTests guards the order.
    internal static readonly string[] All =
    [
        "action", "admd", "alias", "any", "auth", "auth-optional", "backup", "bounce", "bypass",
        "ca", "cert", "chain", "chroot", "ciphers", "commit", "compression", "connect",
        "data", "data-line", "dhe", "disconnect", "domain", "ehlo", "encryption", "expand-only",
        "fcrdns", "filter", "for", "forward-only", "from", "group", "helo", "helo-src", "host",
        "hostname", "hostnames", "include", "inet4", "inet6", "junk", "key", "limit", "listen",
        "lmtp", "local", "mail-from", "maildir", "mask-src", "masquerade", "match", "max-deferred",
        "max-message-size", "mbox", "mda", "mta", "mx", "no-dsn", "no-verify", "noop", "on",
        "phase", "pki", "port", "proc", "proc-exec", "protocols", "proxy-v2", "queue", "quit",
        "rcpt-to", "rdns", "received-auth", "recipient", "regex", "reject", "relay", "report",
        "rewrite", "rset", "scheduler", "senders", "smtp", "smtp-in", "smtp-out", "smtps", "socket",
        "src", "srs", "sub-addr-delim", "table", "tag", "tagged", "tls", "tls-require", "ttl",
        "user", "userbase", "verify", "virtual", "warn-interval", "wrapper",
    ];

    public static bool IsKeyword(string word) => Array.BinarySearch(All, word, StringComparer.Ordinal) >= 0;
}
