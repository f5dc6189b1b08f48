// A host that answers every session request at once from settable behaviour and records what
// the session asked and logged, so tests can check both the replies and the side effects.
using System.IO.Pipelines;
using Smtpd.Ipc.Messages;
using Smtpd.Smtp;

namespace Smtpd.Tests.Smtp;

internal sealed class FakeSmtpHost : ISmtpSessionHost
{
    private uint _nextMsgId = 0x1a2b3c4d;
    private uint _nextEvp = 1;

    public List<string> Logs { get; } = [];

    public List<string> Traces { get; } = [];

    public bool TraceEnabled { get; set; } = true;

    public SmtpClientIdentity Identity { get; set; } = new("client.example.org", FcrdnsResult.Pass);

    public SmtpLookupResult SenderResult { get; set; } = SmtpLookupResult.Ok;

    public bool CreateFails { get; set; }

    public bool OpenFails { get; set; }

    public bool CommitFails { get; set; }

    /// <summary>Decides each recipient; the default accepts all.</summary>
    public Func<MailAddress, SmtpRecipientResult>? RecipientPolicy { get; set; }

    public Func<string, string, SmtpLookupResult> AuthPolicy { get; set; } = (u, p) => u == "alice" && p == "secret" ? SmtpLookupResult.Ok : SmtpLookupResult.PermFail;

    /// <summary>Makes the stream for each message; the default keeps it in memory.</summary>
    public Func<Stream> MessageStreamFactory { get; set; } = () => new KeepingMemoryStream();

    /// <summary>What STARTTLS yields; null fails the handshake. The default keeps the same pipe.</summary>
    public Func<SmtpSession, SmtpTlsResult?>? TlsPolicy { get; set; }

    /// <summary>The session's transport, handed back as the "encrypted" one by the default TLS policy.</summary>
    public IDuplexPipe? Transport { get; set; }

    public List<(uint MsgId, Stream Stream)> Opened { get; } = [];

    public List<uint> Committed { get; } = [];

    public List<uint> RolledBack { get; } = [];

    public List<(MailAddress Address, RcptToParameters Parameters)> RecipientsAsked { get; } = [];

    public List<(string User, string Password)> AuthAsked { get; } = [];

    public List<SmtpTransaction> Senders { get; } = [];

    public int TlsStarted { get; private set; }

    /// <summary>Decides each filter phase; the default proceeds.</summary>
    public Func<SmtpFilterPhase, string, SmtpFilterResult> FilterPolicy { get; set; } = (_, _) => SmtpFilterResult.Proceed;

    public List<(SmtpFilterPhase Phase, string Parameter)> Filtered { get; } = [];

    /// <summary>The bytes of the last opened message, as written by the session.</summary>
    public string LastMessage => System.Text.Encoding.Latin1.GetString(((KeepingMemoryStream)Opened[^1].Stream).ToArray());

    public void Trace(string message) => Traces.Add(message);

    public void Log(string line) => Logs.Add(line);

    public ValueTask<SmtpClientIdentity> LookupClientAsync(SmtpSession session, CancellationToken cancellationToken) => ValueTask.FromResult(Identity);

    public ValueTask<SmtpLookupResult> CheckSenderAsync(SmtpTransaction transaction, CancellationToken cancellationToken)
    {
        Senders.Add(transaction);
        return ValueTask.FromResult(SenderResult);
    }

    public ValueTask<uint?> CreateMessageAsync(SmtpTransaction transaction, CancellationToken cancellationToken) =>
        ValueTask.FromResult(CreateFails ? null : (uint?)_nextMsgId++);

    public ValueTask<SmtpRecipientResult> CheckRecipientAsync(SmtpTransaction transaction, MailAddress recipient, RcptToParameters parameters, CancellationToken cancellationToken)
    {
        RecipientsAsked.Add((recipient, parameters));
        SmtpRecipientResult result = RecipientPolicy?.Invoke(recipient) ?? SmtpRecipientResult.Accepted(((ulong)transaction.MsgId << 32) | _nextEvp++);
        return ValueTask.FromResult(result);
    }

    public ValueTask<Stream?> OpenMessageAsync(SmtpTransaction transaction, CancellationToken cancellationToken)
    {
        if (OpenFails)
        {
            return ValueTask.FromResult<Stream?>(null);
        }

        Stream stream = MessageStreamFactory();
        Opened.Add((transaction.MsgId, stream));
        return ValueTask.FromResult<Stream?>(stream);
    }

    public ValueTask<bool> CommitMessageAsync(SmtpTransaction transaction, CancellationToken cancellationToken)
    {
        if (!CommitFails)
        {
            Committed.Add(transaction.MsgId);
        }

        return ValueTask.FromResult(!CommitFails);
    }

    public void RollbackMessage(SmtpTransaction transaction) => RolledBack.Add(transaction.MsgId);

    public ValueTask<SmtpLookupResult> AuthenticateAsync(SmtpSession session, string user, string password, CancellationToken cancellationToken)
    {
        AuthAsked.Add((user, password));
        return ValueTask.FromResult(AuthPolicy(user, password));
    }

    public ValueTask<SmtpTlsResult?> StartTlsAsync(SmtpSession session, CancellationToken cancellationToken)
    {
        TlsStarted++;
        SmtpTlsResult? result = TlsPolicy is not null
            ? TlsPolicy(session)
            : new SmtpTlsResult(Transport!, "TLSv1.3", "TLS_AES_256_GCM_SHA384", 256, Verified: false);
        return ValueTask.FromResult(result);
    }

    public ValueTask<SmtpFilterResult> FilterAsync(SmtpSession session, SmtpFilterPhase phase, string parameter, CancellationToken cancellationToken)
    {
        Filtered.Add((phase, parameter));
        return ValueTask.FromResult(FilterPolicy(phase, parameter));
    }
}
