// The mta's syslog lines, byte for byte as OpenSMTPD 7.8 writes them, in one place:
// "mta connecting", "mta connected", "mta delivery ...", "mta error", "mta disconnected".
// Behaviour reference: usr.sbin/smtpd/mta_session.c (mta_connect, mta_connected, mta_error,
// mta_io), mta.c (mta_log, mta_host_to_text).
using System.Globalization;
using System.Text;
using Smtpd.Ipc.Messages;

namespace Smtpd.Mta;

internal static class MtaLog
{
    private static string Id(ulong id) => id.ToString("x16", CultureInfo.InvariantCulture);

    /// <summary>"smtp+notls://192.0.2.1:25": the scheme the session actually uses, as mta_connect names it.</summary>
    public static string Connecting(ulong session, string scheme, string address, int port, string host) =>
        $"{Id(session)} mta connecting address={scheme}{address}:{port.ToString(CultureInfo.InvariantCulture)} host={host}";

    public static string Connected(ulong session) => $"{Id(session)} mta connected";

    public static string Error(ulong session, int messages, string reason) => messages > 0
        ? $"smtp-out: Error on session {Id(session)} after {messages.ToString(CultureInfo.InvariantCulture)} message{(messages > 1 ? "s" : string.Empty)} sent: {reason}"
        : $"{Id(session)} mta error reason={reason}";

    public static string Tls(ulong session, string ciphers) => $"{Id(session)} mta tls ciphers={ciphers}";

    /// <summary>After the handshake: "valid" when the certificate was verified, else "unverified"; OpenSMTPD writes "smtp" when none was shown.</summary>
    public static string CertCheck(ulong session, string? fingerprint, bool verified) => fingerprint is null
        ? $"{Id(session)} smtp cert-check result=\"no certificate presented\""
        : $"{Id(session)} mta cert-check result=\"{(verified ? "valid" : "unverified")}\" fingerprint=\"{fingerprint}\"";

    /// <summary>A certificate vouched for by DANE, MTA-STS or a pinned fingerprint: "valid" with what vouched ("dane-ee", "dane-ta depth=1", "mta-sts", "fingerprint").</summary>
    public static string CertCheckBy(ulong session, string? fingerprint, string authority) =>
        $"{Id(session)} mta cert-check result=\"valid\" fingerprint=\"{fingerprint ?? "-"}\" authority=\"{authority}\"";

    /// <summary>A certificate a policy refused, or (MTA-STS testing) would have refused: "failure" and why.</summary>
    public static string CertCheckFailed(ulong session, string? fingerprint, string authority, string reason) =>
        $"{Id(session)} mta cert-check result=\"failure\" fingerprint=\"{fingerprint ?? "-"}\" authority=\"{authority}\" reason=\"{reason}\"";

    public static string TlsFailure(ulong session) => $"{Id(session)} mta closing reason=tls-failure";

    public static string Disconnected(ulong session, int messages) =>
        $"{Id(session)} mta disconnected reason=quit messages={messages.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>mta_host_to_text: "192.0.2.1 (mx.example.org)".</summary>
    public static string Relay(string address, string host) => host.Length > 0 ? $"{address} ({host})" : address;

    /// <summary>
    /// "&lt;session&gt; mta delivery evpid=... from=&lt;...&gt; to=&lt;...&gt; rcpt=&lt;-&gt;
    /// source=\"...\" relay=\"...\" delay=... result=\"Ok\" stat=\"250 ...\"".
    /// </summary>
    public static string Delivery(ulong session, MtaDeliverRequest e, string? source, string relay, DeliveryOutcomeStatus status, string stat)
    {
        string result = status switch
        {
            DeliveryOutcomeStatus.Ok => "Ok",
            DeliveryOutcomeStatus.TempFail => "TempFail",
            _ => "PermFail",
        };
        string? rcpt = string.Equals(e.Rcpt, e.Dest, StringComparison.Ordinal) ? null : e.Rcpt;
        var delay = TimeSpan.FromSeconds(Math.Max(0, DateTimeOffset.UtcNow.ToUnixTimeSeconds() - e.Creation));
        var sb = new StringBuilder(200);
        sb.Append(Id(session)).Append(" mta delivery evpid=").Append(Id(e.EvpId))
            .Append(" from=<").Append(e.Sender).Append("> to=<").Append(e.Dest).Append("> rcpt=<").Append(rcpt ?? "-")
            .Append("> source=\"").Append(source ?? "-").Append("\" relay=\"").Append(relay)
            .Append("\" delay=").Append(Mda.MdaLog.Duration(delay))
            .Append(" result=\"").Append(result).Append("\" stat=\"").Append(stat).Append('"');
        return sb.ToString();
    }
}
