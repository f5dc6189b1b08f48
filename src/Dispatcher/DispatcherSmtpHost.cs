// What an smtp-in session asks of the rest of the daemon, answered over IPC: the lookup agent
// for the client's name and each recipient's expansion, the queue for the message, its body
// descriptor, its envelopes and the commit. The dispatcher never touches the spool or tables.
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (the m_create calls and their replies).
using Microsoft.Win32.SafeHandles;
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;
using Smtpd.Smtp;

namespace Smtpd.Dispatcher;

internal sealed partial class DispatcherSmtpHost : ISmtpSessionHost
{
    private readonly ImsgChannel _lka;
    private readonly ImsgChannel _queue;
    private readonly DispatcherRequests _requests;
    private readonly DispatcherTls _tls;

    public DispatcherSmtpHost(ImsgChannel lka, ImsgChannel queue, DispatcherRequests requests, DispatcherTls? tls = null)
    {
        _tls = tls ?? new DispatcherTls();
        _lka = lka;
        _queue = queue;
        _requests = requests;
    }

    public bool TraceEnabled => Runtime.Log.Tracing(TraceFlags.Smtp);

    public void Trace(string message) => Runtime.Log.Trace(TraceFlags.Smtp, message);

    public void Log(string line) => Runtime.Log.Info(line);

    public async ValueTask<SmtpClientIdentity> LookupClientAsync(SmtpSession session, CancellationToken cancellationToken)
    {
        if (session.ClientAddress == "local")
        {
            return new SmtpClientIdentity("localhost", FcrdnsResult.Pass);
        }

        var (id, task) = _requests.Start();
        _lka.Post(new LkaClientLookup(id, session.ClientAddress));
        var (reply, _) = await task;
        var r = reply.Read<LkaClientLookupReply>();
        var fcrdns = Enum.IsDefined(r.Fcrdns) ? r.Fcrdns : FcrdnsResult.Fail;
        return new SmtpClientIdentity(r.Rdns ?? "<unknown>", fcrdns);
    }

    public async ValueTask<SmtpLookupResult> CheckSenderAsync(SmtpTransaction transaction, CancellationToken cancellationToken)
    {
        // As OpenSMTPD: only an authenticated session on a listener with a senders table is asked.
        var s = transaction.Session;
        if (!s.Options.Senders || !s.Flags.HasFlag(SmtpSessionFlags.Authenticated))
        {
            return SmtpLookupResult.Ok;
        }

        var (id, task) = _requests.Start();
        _lka.Post(new LkaCheckSender(id, s.Options.ListenerIndex, s.Username, transaction.Sender.ToString()));
        var (reply, _) = await task;
        return ToLookupResult(reply.Read<LkaCheckSenderReply>().Status);
    }

    public async ValueTask<uint?> CreateMessageAsync(SmtpTransaction transaction, CancellationToken cancellationToken)
    {
        var (id, task) = _requests.Start();
        _queue.PostAs(ImsgType.QueueMessageCreate, new MsgRequest(id, 0));
        var (reply, _) = await task;
        var r = reply.ReadAs<MsgRequest>();
        return r.Ok ? r.MsgId : null;
    }

    public async ValueTask<SmtpRecipientResult> CheckRecipientAsync(SmtpTransaction transaction, MailAddress recipient, RcptToParameters parameters, CancellationToken cancellationToken)
    {
        var s = transaction.Session;
        var (id, task) = _requests.Start();
        _lka.Post(new LkaExpandRcpt(
            id,
            s.Options.Tag.Length > 0 ? s.Options.Tag : null,
            s.ClientAddress,
            s.Rdns == "<unknown>" ? null : s.Rdns,
            s.Helo,
            // Local enqueue is authenticated without a name: `match auth` holds for it, as in OpenSMTPD.
            s.Flags.HasFlag(SmtpSessionFlags.Authenticated) ? s.Username : null,
            s.Tls is not null,
            transaction.Sender.ToString(),
            recipient.ToString()));
        var (reply, _) = await task;
        var expand = reply.Read<LkaExpandReply>();
        if (expand.Status != ExpandStatus.Accepted)
        {
            return SmtpRecipientResult.Rejected(expand.Reply);
        }

        ulong evpid = 0;
        foreach (var d in expand.Deliveries)
        {
            var (sid, submitted) = _requests.Start();
            _queue.Post(new EnvelopeSubmit(
                sid,
                transaction.MsgId,
                d.Dispatcher,
                d.Relay,
                s.Options.Tag,
                s.ServerName,
                s.Helo,
                s.Rdns,
                s.Username,
                s.ClientAddress,
                transaction.Sender.ToString(),
                recipient.ToString(),
                d.Dest,
                d.User,
                d.Subaddress,
                parameters.Notify,
                transaction.Parameters.Ret,
                transaction.Parameters.EnvId,
                parameters.Orcpt,
                d.Exec));
            var (ack, _) = await submitted;
            var e = ack.ReadAs<EvpReply>();
            if (!e.Ok)
            {
                return SmtpRecipientResult.EnvelopeFailed();
            }

            evpid = e.EvpId;
            if (s.Options.Filtered)
            {
                Report(s, "tx-envelope", [transaction.MsgId.ToString("x8", System.Globalization.CultureInfo.InvariantCulture), evpid.ToString("x16", System.Globalization.CultureInfo.InvariantCulture)]);
            }
        }

        return SmtpRecipientResult.Accepted(evpid);
    }

    public async ValueTask<Stream?> OpenMessageAsync(SmtpTransaction transaction, CancellationToken cancellationToken)
    {
        var (id, task) = _requests.Start();
        _queue.PostAs(ImsgType.QueueMessageOpen, new MsgRequest(id, transaction.MsgId));
        var (reply, fd) = await task;
        if (!reply.ReadAs<MsgRequest>().Ok || fd is null)
        {
            fd?.Dispose();
            return null;
        }

        // Unbuffered: the message writer already writes in large chunks.
        return new FileStream(new SafeFileHandle(fd.Release(), ownsHandle: true), FileAccess.Write, bufferSize: 0);
    }

    public async ValueTask<bool> CommitMessageAsync(SmtpTransaction transaction, CancellationToken cancellationToken)
    {
        var (id, task) = _requests.Start();
        _queue.Post(new MsgCommit(id, transaction.MsgId, transaction.OutputLength));
        var (reply, _) = await task;
        return reply.ReadAs<MsgRequest>().Ok;
    }

    public void RollbackMessage(SmtpTransaction transaction) =>
        _queue.PostAs(ImsgType.QueueMessageRollback, new MsgRequest(0, transaction.MsgId));

    public async ValueTask<SmtpLookupResult> AuthenticateAsync(SmtpSession session, string user, string password, CancellationToken cancellationToken)
    {
        var (id, task) = _requests.Start();
        _lka.Post(new LkaAuthenticate(id, session.Options.ListenerIndex, user, password));
        var (reply, _) = await task;
        return ToLookupResult(reply.Read<LkaAuthenticateReply>().Status);
    }

    private static SmtpLookupResult ToLookupResult(AuthStatus status) => status switch
    {
        AuthStatus.Ok => SmtpLookupResult.Ok,
        AuthStatus.Fail => SmtpLookupResult.PermFail,
        _ => SmtpLookupResult.TempFail,
    };

    /// <summary>
    /// The handshake, then, on a listener with fingerprints, a certificate that did not verify
    /// looked up by its fingerprint; with verify, one neither verified nor pinned ends the session
    /// as a failed handshake does.
    /// </summary>
    public async ValueTask<SmtpTlsResult?> StartTlsAsync(SmtpSession session, CancellationToken cancellationToken)
    {
        var result = await _tls.AcceptAsync(session, cancellationToken);
        var options = session.Options;
        if (result is null || !options.ClientFingerprints || result.Verified)
        {
            return result;
        }

        if (result.PeerFingerprint is { } fingerprint)
        {
            var (id, task) = _requests.Start();
            _lka.Post(new LkaCertFingerprint(id, options.ListenerIndex, fingerprint));
            var (reply, _) = await task;
            var pin = reply.Read<LkaCertFingerprintReply>();
            if (pin.Status == AuthStatus.Ok)
            {
                string identity = pin.Identity ?? (result.PeerSubject is { } subject ? SmtpSession.CommonName(subject) : null) ?? fingerprint;
                return result with { Verified = true, PinnedIdentity = identity };
            }
        }

        if (options.ClientCertificateRequired)
        {
            await _tls.DetachAsync(session.Id);
            throw new IOException(result.PeerFingerprint is null ? "handshake failed: no client certificate" : "handshake failed: client certificate neither verified nor pinned");
        }

        return result;
    }
}
