// One mail transaction, from an accepted MAIL FROM to the final reply after DATA or a reset.
// The host sees it in every transaction call; the session alone changes it.
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (struct smtp_tx)
namespace Smtpd.Smtp;

internal sealed class SmtpTransaction
{
    private readonly List<SmtpRecipient> _recipients = [];

    public SmtpTransaction(SmtpSession session, MailAddress sender, MailFromParameters parameters)
    {
        Session = session;
        Sender = sender;
        Parameters = parameters;
    }

    public SmtpSession Session { get; }

    /// <summary>The queue's id for the message; zero until the host created it.</summary>
    public uint MsgId { get; internal set; }

    public MailAddress Sender { get; }

    public MailFromParameters Parameters { get; }

    public IReadOnlyList<SmtpRecipient> Recipients => _recipients;

    /// <summary>Why the data will be refused, or None.</summary>
    public SmtpTxError Error { get; internal set; }

    /// <summary>Bytes of message received from the client (lines without CRLF, plus one each), for the size limit.</summary>
    public long DataIn { get; internal set; }

    /// <summary>Bytes written to the message file, Received header included: the size= of the log line.</summary>
    public long OutputLength => Message?.Length ?? 0;

    /// <summary>A filter called this message junk: it gets an X-Spam: Yes header.</summary>
    public bool Junk { get; internal set; }

    /// <summary>When DATA started; the date in the Received header.</summary>
    public DateTimeOffset Time { get; internal set; }

    internal SmtpMessageWriter? Message { get; set; }

    /// <summary>Filtered message lines: where they go, and the reader of what comes back (true once complete).</summary>
    internal ISmtpDataFilter? DataFilter { get; set; }

    internal Task<bool>? FilteredBack { get; set; }

    internal void AddRecipient(SmtpRecipient recipient) => _recipients.Add(recipient);
}
