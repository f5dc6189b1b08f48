// The dispatcher's side of AUTH: an smtp-in session's credentials go to the lookup agent as a
// request naming the session's listener, and the agent's verdict comes back as the session's
// lookup result (ok, refused, temporary failure).
using Smtpd.Dispatcher;
using Smtpd.Interop;
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;
using Smtpd.Smtp;
using Smtpd.Tests.Smtp;

namespace Smtpd.Tests.Dispatcher;

public class DispatcherSmtpHostTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(60);

    private static (ImsgChannel Ours, ImsgChannel Theirs) Pair(string peer)
    {
        var (a, b) = Posix.SocketPair();
        var ours = new ImsgChannel(a, peer);
        var theirs = new ImsgChannel(b, "dispatcher");
        ours.Start();
        theirs.Start();
        return (ours, theirs);
    }

    [Theory]
    [InlineData(AuthStatus.Ok, SmtpLookupResult.Ok)]
    [InlineData(AuthStatus.Fail, SmtpLookupResult.PermFail)]
    [InlineData(AuthStatus.TempFail, SmtpLookupResult.TempFail)]
    internal async Task CredentialsAreCheckedByTheLookupAgentForTheSessionsListener(AuthStatus verdict, SmtpLookupResult expected)
    {
        var (lka, lkaEnd) = Pair("lka");
        var (queue, queueEnd) = Pair("queue");
        using (lka)
        using (lkaEnd)
        using (queue)
        using (queueEnd)
        {
            var requests = new ImsgRequests<ImsgReply>();
            var host = new DispatcherSmtpHost(lka, queue, requests);
            var (server, _) = InMemoryDuplexPipe.CreatePair();
            using var session = new SmtpSession(1, SmtpHarness.DefaultOptions with { ListenerIndex = 3 }, host, server, "192.0.2.1");
            using var cts = new CancellationTokenSource(Patience);

            var pending = host.AuthenticateAsync(session, "alice", "s3cret", cts.Token).AsTask();
            using (var asked = await lkaEnd.Inbound.ReadAsync(cts.Token))
            {
                var req = asked.Read<LkaAuthenticate>();
                Assert.Equal((3, "alice", "s3cret"), (req.ListenerIndex, req.User, req.Password));
                lkaEnd.Post(new LkaAuthenticateReply(req.ReqId, verdict));
            }

            using (var answer = await lka.Inbound.ReadAsync(cts.Token))
            {
                requests.Complete(answer);
            }

            Assert.Equal(expected, await pending.WaitAsync(cts.Token));
            Assert.Equal(0, requests.Pending);
        }
    }

    [Theory]
    [InlineData(AuthStatus.Ok, SmtpLookupResult.Ok)]
    [InlineData(AuthStatus.Fail, SmtpLookupResult.PermFail)]
    [InlineData(AuthStatus.TempFail, SmtpLookupResult.TempFail)]
    internal async Task AnAuthenticatedSendersListenerAsksTheLookupAgentAboutTheSender(AuthStatus verdict, SmtpLookupResult expected)
    {
        var (lka, lkaEnd) = Pair("lka");
        var (queue, queueEnd) = Pair("queue");
        using (lka)
        using (lkaEnd)
        using (queue)
        using (queueEnd)
        {
            var requests = new ImsgRequests<ImsgReply>();
            var host = new DispatcherSmtpHost(lka, queue, requests);
            var (server, _) = InMemoryDuplexPipe.CreatePair();

            // Local sessions are authenticated from the start (with no user name).
            using var session = new SmtpSession(1, SmtpHarness.DefaultOptions with { ListenerIndex = 2, Local = true, Senders = true }, host, server, "local");
            var tx = new SmtpTransaction(session, new MailAddress("alice", "example.org"), MailFromParameters.Empty);
            using var cts = new CancellationTokenSource(Patience);

            var pending = host.CheckSenderAsync(tx, cts.Token).AsTask();
            using (var asked = await lkaEnd.Inbound.ReadAsync(cts.Token))
            {
                var req = asked.Read<LkaCheckSender>();
                Assert.Equal((2, string.Empty, "alice@example.org"), (req.ListenerIndex, req.User, req.Sender));
                lkaEnd.Post(new LkaCheckSenderReply(req.ReqId, verdict));
            }

            using (var answer = await lka.Inbound.ReadAsync(cts.Token))
            {
                requests.Complete(answer);
            }

            Assert.Equal(expected, await pending.WaitAsync(cts.Token));
        }
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    internal async Task WithoutASendersTableOrAuthenticationNothingIsAsked(bool senders, bool local)
    {
        var (lka, lkaEnd) = Pair("lka");
        var (queue, queueEnd) = Pair("queue");
        using (lka)
        using (lkaEnd)
        using (queue)
        using (queueEnd)
        {
            var requests = new ImsgRequests<ImsgReply>();
            var host = new DispatcherSmtpHost(lka, queue, requests);
            var (server, _) = InMemoryDuplexPipe.CreatePair();
            using var session = new SmtpSession(1, SmtpHarness.DefaultOptions with { Local = local, Senders = senders }, host, server, "192.0.2.1");
            var tx = new SmtpTransaction(session, new MailAddress("alice", "example.org"), MailFromParameters.Empty);
            Assert.Equal(SmtpLookupResult.Ok, await host.CheckSenderAsync(tx, CancellationToken.None));
            Assert.Equal(0, requests.Pending);
        }
    }
}
