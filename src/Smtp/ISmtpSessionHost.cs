// Everything an smtp-in session needs from outside itself. In the daemon the dispatcher
// implements it with IMSG requests to the lookup agent and the queue (answered through a ReqId
// table on the same single-threaded loop); in tests a fake answers directly. Every call comes
// from the session's loop and may complete later; none may block.
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (smtp_session_imsg and the m_create calls)
namespace Smtpd.Smtp;

internal interface ISmtpSessionHost
{
    /// <summary>Whether -T smtp is on; <see cref="Trace"/> is only called when it is.</summary>
    bool TraceEnabled { get; }

    /// <summary>A -T smtp trace line (state changes, lines in and out).</summary>
    void Trace(string message);

    /// <summary>An info-level log line, already in OpenSMTPD's format (see <see cref="SmtpLog"/>).</summary>
    void Log(string line);

    /// <summary>
    /// Before the greeting: the client's reverse name and whether it is forward-confirmed
    /// (IMSG resolver getnameinfo/getaddrinfo), and the server name of a hostnames table, if any.
    /// </summary>
    ValueTask<SmtpClientIdentity> LookupClientAsync(SmtpSession session, CancellationToken cancellationToken);

    /// <summary>
    /// MAIL FROM passed syntax and parameter checks (IMSG_SMTP_CHECK_SENDER). OpenSMTPD asks only
    /// for authenticated sessions on listeners with a senders table; answer Ok otherwise.
    /// PermFail replies "530 Sender rejected", TempFail "421 4.3.0 Temporary Error".
    /// </summary>
    ValueTask<SmtpLookupResult> CheckSenderAsync(SmtpTransaction transaction, CancellationToken cancellationToken);

    /// <summary>
    /// The sender is accepted: create the message in the queue (IMSG_SMTP_MESSAGE_CREATE) and
    /// return its msgid, or null on failure (the client gets 421 and the session ends).
    /// </summary>
    ValueTask<uint?> CreateMessageAsync(SmtpTransaction transaction, CancellationToken cancellationToken);

    /// <summary>
    /// Match the ruleset, expand the recipient and store its envelopes (IMSG_SMTP_EXPAND_RCPT,
    /// IMSG_QUEUE_ENVELOPE_SUBMIT/COMMIT). A recipient no rule accepts is Rejected("550 Invalid recipient").
    /// </summary>
    ValueTask<SmtpRecipientResult> CheckRecipientAsync(SmtpTransaction transaction, MailAddress recipient, RcptToParameters parameters, CancellationToken cancellationToken);

    /// <summary>
    /// DATA: open the message file (IMSG_SMTP_MESSAGE_OPEN). The session writes the Received
    /// header and the body into the stream and disposes it; null means failure (421, session ends).
    /// </summary>
    ValueTask<Stream?> OpenMessageAsync(SmtpTransaction transaction, CancellationToken cancellationToken);

    /// <summary>
    /// The message is complete and its stream disposed: make it durable and return true only then
    /// (IMSG_SMTP_MESSAGE_COMMIT). The client's 250 follows a true; false costs the session (421).
    /// </summary>
    ValueTask<bool> CommitMessageAsync(SmtpTransaction transaction, CancellationToken cancellationToken);

    /// <summary>Forget a created message (IMSG_SMTP_MESSAGE_ROLLBACK): RSET, refused data, lost client.</summary>
    void RollbackMessage(SmtpTransaction transaction);

    /// <summary>
    /// AUTH PLAIN or LOGIN credentials (IMSG_SMTP_AUTHENTICATE). Strings hold the client's
    /// decoded bytes one char per byte (Latin-1); CR and LF were refused before this call.
    /// </summary>
    ValueTask<SmtpLookupResult> AuthenticateAsync(SmtpSession session, string user, string password, CancellationToken cancellationToken);

    /// <summary>
    /// Run the server side of a TLS handshake over the session's transport (after "220 2.0.0
    /// Ready to start TLS", or before the banner on smtps). Input the client sent before the
    /// handshake has been discarded. Return the encrypted transport, or null when the handshake
    /// failed (the session ends with reason=tls-accept-failed).
    /// </summary>
    ValueTask<SmtpTlsResult?> StartTlsAsync(SmtpSession session, CancellationToken cancellationToken);

    /// <summary>
    /// Only on filtered listeners: run the filter chain for one phase (IMSG_FILTER_SMTP_PROTOCOL).
    /// The parameter is the client address for Connect, the argument for HELO, EHLO, AUTH, MAIL
    /// FROM and RCPT TO, and empty otherwise. Reject and Disconnect carry the reply to send.
    /// </summary>
    ValueTask<SmtpFilterResult> FilterAsync(SmtpSession session, SmtpFilterPhase phase, string parameter, CancellationToken cancellationToken);

    /// <summary>
    /// Only on filtered listeners: one report event (smtpd-filters(7) "report|smtp-in|NAME"),
    /// its fields in protocol 0.7 order. link-connect comes first and link-disconnect last.
    /// </summary>
    void Report(SmtpSession session, string name, string[] fields)
    {
    }

    /// <summary>
    /// Only on filtered listeners, after the 354: the chain's message-line filter, or null when
    /// no filter of the chain looks at message lines (IMSG_FILTER_SMTP_DATA_BEGIN).
    /// </summary>
    ValueTask<ISmtpDataFilter?> OpenDataFilterAsync(SmtpTransaction transaction, CancellationToken cancellationToken) =>
        ValueTask.FromResult<ISmtpDataFilter?>(null);
}
