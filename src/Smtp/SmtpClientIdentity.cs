// What the host found out about the client before the greeting: its reverse name ("<unknown>"
// when there is none), whether that name resolves back, and optionally the server name a
// hostnames table chose for this connection.
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (smtp_lookup_servername, IMSG_SMTP_LOOKUP_HELO)
using Smtpd.Ipc.Messages;

namespace Smtpd.Smtp;

internal sealed record SmtpClientIdentity(string Rdns, FcrdnsResult Fcrdns, string? ServerName = null)
{
    public static readonly SmtpClientIdentity Unknown = new("<unknown>", FcrdnsResult.Fail);
}
