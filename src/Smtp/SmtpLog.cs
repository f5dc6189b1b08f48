// Every log line the smtp-in session writes, in one place so the formats can be reviewed and
// golden-tested: they are byte-compatible with OpenSMTPD 7, because admins grep and parse them
// (fail2ban, sshguard, log shippers). Each line starts with the session id as 16 hex digits.
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (log_info calls, smtp_reply), lib vis(3)
using System.Globalization;
using Smtpd.Mime;

namespace Smtpd.Smtp;

internal static class SmtpLog
{
    public static string Connected(ulong id, string address, string host) =>
        Invariant($"{id:x16} smtp connected address={address} host={host}");

    public static string Message(ulong id, uint msgid, long size, int nrcpt, bool esmtp) =>
        Invariant($"{id:x16} smtp message msgid={msgid:x8} size={size} nrcpt={nrcpt} proto={(esmtp ? "ESMTP" : "SMTP")}");

    public static string Envelope(ulong id, ulong evpid, MailAddress from, MailAddress to) =>
        Invariant($"{id:x16} smtp envelope evpid={evpid:x16} from=<{from}> to=<{to}>");

    /// <summary>A 4xx/5xx reply to an ordinary command; the command is shown vis(3)-encoded.</summary>
    public static string FailedCommand(ulong id, string command, string reply) =>
        Invariant($"{id:x16} smtp failed-command command=\"{Vis.Encode(command, VisFlags.Safe | VisFlags.CStyle)}\" result=\"{reply}\"");

    /// <summary>A 4xx/5xx reply during AUTH, where the client's line holds credentials and is never logged.</summary>
    public static string FailedAuthCommand(ulong id, SmtpState state, string reply) =>
        Invariant($"{id:x16} smtp failed-command command=\"{AuthStep(state)}\" result=\"{reply}\"");

    public static string BadInput(ulong id, string reply) =>
        Invariant($"{id:x16} smtp bad-input result=\"{reply}\"");

    /// <summary>reason is quit, timeout, disconnect, tls-accept-failed, or "io-error: ..." (quoted).</summary>
    public static string Disconnected(ulong id, string reason) =>
        Invariant($"{id:x16} smtp disconnected reason={reason}");

    public static string IoErrorReason(string error) => "\"io-error: " + error + "\"";

    public static string Authentication(ulong id, string user, string result) =>
        Invariant($"{id:x16} smtp authentication user={Vis.Encode(user, VisFlags.Safe | VisFlags.White)} result={result}");

    public static string Tls(ulong id, string ciphers) => Invariant($"{id:x16} smtp tls ciphers={ciphers}");

    /// <summary>A client certificate was presented: whether it was verified, and its fingerprint.</summary>
    public static string CertCheck(ulong id, bool verified, string fingerprint) =>
        Invariant($"{id:x16} smtp cert-check result=\"{(verified ? "verified" : "unchecked")}\" fingerprint=\"{fingerprint}\"");

    /// <summary>Ours: a client certificate accepted by its fingerprint (listen on ... fingerprints), and as whom.</summary>
    public static string CertPinned(ulong id, string? fingerprint, string identity) =>
        Invariant($"{id:x16} smtp cert-pinned fingerprint=\"{fingerprint}\" identity=\"{Vis.Encode(identity, VisFlags.Safe | VisFlags.CStyle)}\"");

    /// <summary>Ours: who a verified client certificate names (OpenSMTPD logs only the fingerprint).</summary>
    public static string CertSubject(ulong id, string subject) =>
        Invariant($"{id:x16} smtp cert-subject subject=\"{Vis.Encode(subject, VisFlags.Safe | VisFlags.CStyle)}\"");

    /// <summary>The -T smtp trace of a state change (smtp_enter_state).</summary>
    public static string StateChange(ulong id, SmtpState from, SmtpState to) =>
        Invariant($"smtp: {id:x16}: {StateName(from)} -> {StateName(to)}");

    public static string TraceInput(ulong id, string line) => Invariant($"smtp: {id:x16}: <<< {line}");

    public static string TraceOutput(ulong id, string reply) => Invariant($"smtp: {id:x16}: >>> {reply}");

    public static string StateName(SmtpState state) => state switch
    {
        SmtpState.New => "STATE_NEW",
        SmtpState.Connected => "STATE_CONNECTED",
        SmtpState.Tls => "STATE_TLS",
        SmtpState.Helo => "STATE_HELO",
        SmtpState.AuthInit => "STATE_AUTH_INIT",
        SmtpState.AuthUsername => "STATE_AUTH_USERNAME",
        SmtpState.AuthPassword => "STATE_AUTH_PASSWORD",
        SmtpState.AuthFinalize => "STATE_AUTH_FINALIZE",
        SmtpState.Body => "STATE_BODY",
        SmtpState.Quit => "STATE_QUIT",
        _ => Invariant($"STATE_??? ({(int)state})"),
    };

    private static string AuthStep(SmtpState state) => state switch
    {
        SmtpState.AuthInit => "AUTH PLAIN (...)",
        SmtpState.AuthUsername => "AUTH LOGIN (username)",
        _ => "AUTH LOGIN (password)",
    };

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
