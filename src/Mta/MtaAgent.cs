// The mta: relay envelopes from the queue are gathered into tasks (one message, one relay
// action, one destination domain: one transaction), queued per route, and delivered by sessions
// that the agent opens to the route's hosts in the lka's order (MX preference, equal ones
// shuffled): a refused connection, a timeout, a 421 or 5xx greeting or a failed EHLO moves on to
// the next address and host; when none takes the session every waiting task is deferred. A
// session takes the route's tasks one after the other (several messages per connection) and
// several sessions serve a busy route. Each envelope's end goes back to the queue.
// Behaviour reference: usr.sbin/smtpd/mta.c (mta_handle_envelope, mta_route_next_task,
// mta_drain, mta_connect), mta_session.c.
using System.Net;
using System.Net.Sockets;
using Microsoft.Win32.SafeHandles;
using Smtpd.Interop;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;

namespace Smtpd.Mta;

internal sealed partial class MtaAgent
{
    // Envelopes of one message arrive from the queue one by one, in a burst: they are gathered
    // this long into one task, so that one transaction carries all of a domain's recipients.
    private static readonly TimeSpan GatherDelay = TimeSpan.FromMilliseconds(20);

    private readonly Func<MtaRouteLookup, Task<MtaRouteReply>> _lookupRoute;
    private readonly Func<uint, Task<SafeFd?>> _openMessage;
    private readonly Action<MtaOutcome> _done;
    private readonly Func<Socket, Stream> _streamOf;
    private readonly IMtaTls _tls;
    private readonly string _hostname;
    private readonly Dictionary<(uint MsgId, string Dispatcher, string Domain), MtaTask> _gathering = [];
    private readonly Dictionary<(string Dispatcher, string Domain), MtaRouteState> _routes = [];
    private readonly MtaRegistry _registry = new();

    // Envelopes deferred per destination domain (OpenSMTPD's hoststat cache): when a host of the
    // domain accepts a recipient again, they are tried at once instead of after their backoff.
    private readonly Dictionary<string, HashSet<ulong>> _deferred = new(StringComparer.Ordinal);
    private readonly Action<ulong> _scheduleNow;
    private readonly Func<string, MtaLimits> _limitsFor;
    private readonly Func<string, string, MtaRouteReply?, string> _relayText;

    public MtaAgent(Func<MtaRouteLookup, Task<MtaRouteReply>> lookupRoute, Func<uint, Task<SafeFd?>> openMessage, Action<MtaOutcome> done,
        Func<Socket, Stream> streamOf, IMtaTls tls, string hostname, Action<ulong> scheduleNow, Func<string, MtaLimits> limitsFor,
        Func<string, string, MtaRouteReply?, string>? relayText = null)
    {
        _relayText = relayText ?? ((_, domain, _) => MtaRelayText.For(null, domain, null));
        _limitsFor = limitsFor;
        _scheduleNow = scheduleNow;
        _lookupRoute = lookupRoute;
        _openMessage = openMessage;
        _done = done;
        _streamOf = streamOf;
        _tls = tls;
        _hostname = hostname;
    }

    /// <summary>DANE, MTA-STS and fingerprint pinning (null: TLS as the routes' schemes say).</summary>
    public MtaSecurity? Security { get; init; }

    /// <summary>The SRS keys, when `srs key` is configured.</summary>
    public Mime.Srs? Srs { get; init; }

    /// <summary>Whether relay action NAME has `srs`.</summary>
    public Func<string, bool> UsesSrs { get; init; } = _ => false;

    /// <summary>How long a peer may stay silent; SMTPD_MTA_TIMEOUT_SECS overrides it (tests). OpenSMTPD waits 300 s.</summary>
    public static TimeSpan Timeout =>
        Environment.GetEnvironmentVariable("SMTPD_MTA_TIMEOUT_SECS") is { } v && int.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out int s) && s > 0
            ? TimeSpan.FromSeconds(s)
            : TimeSpan.FromSeconds(300);

    public void Add(MtaDeliverRequest e)
    {
        if (_deferred.TryGetValue(e.Domain, out var deferred) && deferred.Remove(e.EvpId) && deferred.Count == 0)
        {
            _deferred.Remove(e.Domain);
        }

        var key = (e.MsgId, e.Dispatcher, e.Domain);
        if (!_gathering.TryGetValue(key, out var task))
        {
            task = new MtaTask(e.MsgId, e.Sender, []);
            _gathering[key] = task;
            _ = GatherAsync(key);
        }

        task.Envelopes.Add(e);
    }

    private async Task GatherAsync((uint MsgId, string Dispatcher, string Domain) key)
    {
        await Task.Delay(GatherDelay);
        if (!_gathering.Remove(key, out var task))
        {
            return;
        }

        var routeKey = (key.Dispatcher, key.Domain);
        if (!_routes.TryGetValue(routeKey, out var route))
        {
            route = new MtaRouteState(key.Dispatcher, key.Domain, _limitsFor(key.Domain));
            route.Text = _relayText(key.Dispatcher, key.Domain, null);
            _routes[routeKey] = route;
        }

        route.Pending.Enqueue(task);
        if (route.Reply is null)
        {
            if (!route.LookingUp)
            {
                route.LookingUp = true;
                _ = LookupAsync(route, task.Envelopes[0].SmtpName);
            }

            return;
        }

        StartSessions(route);
    }

    private async Task LookupAsync(MtaRouteState route, string smtpName)
    {
        var reply = await _lookupRoute(new MtaRouteLookup(0, route.Dispatcher, route.Domain, smtpName));
        route.LookingUp = false;
        if (reply.Status != MtaRouteStatus.Ok)
        {
            Log.Info($"smtp-out: Failed to resolve MX for {route.Domain}: {reply.Error}");
            var status = reply.Status == MtaRouteStatus.PermFail ? DeliveryOutcomeStatus.PermFail : DeliveryOutcomeStatus.TempFail;
            FailPending(route, status, reply.Error, null);
            return;
        }

        route.Reply = reply;
        route.Text = _relayText(route.Dispatcher, route.Domain, reply);
        StartSessions(route);
    }

    private void StartSessions(MtaRouteState route)
    {
        while (route.Sessions < route.Limits.MaxConnPerRoute && route.Pending.Count > route.Sessions)
        {
            route.Sessions++;
            _ = RunSessionAsync(route);
        }
    }

    private async Task RunSessionAsync(MtaRouteState route)
    {
        var reply = route.Reply!.Value;
        MtaRoute? used = null;
        try
        {
            (var session, var conn, string error, used) = await ConnectAsync(route, reply);
            if (session is null || conn is null || used is null)
            {
                // No host took us: every task waiting for this route waits longer.
                FailPending(route, DeliveryOutcomeStatus.TempFail, error, null);
                return;
            }

            await using (conn)
            {
                bool usable = true;
                int carried = 0;
                // session-mail-max: after that many messages the session ends; the next one takes the rest.
                while (usable && carried < route.Limits.SessionMailMax && route.Pending.TryDequeue(out var task))
                {
                    usable = await DeliverAsync(session, task, reply);
                    carried++;
                }

                if (usable)
                {
                    try
                    {
                        await session.QuitAsync();
                    }
                    catch (Exception e) when (IsConnectionError(e))
                    {
                        // Gone already: the mail is delivered, nothing is lost.
                    }

                    Log.Info(MtaLog.Disconnected(session.Id, session.Messages));
                }
            }
        }
        finally
        {
            if (used is not null)
            {
                _registry.Closed(used);
            }

            route.Sessions--;
            if (route.Sessions == 0 && route.Pending.Count == 0)
            {
                // The next envelopes for this route look it up afresh: DNS answers do not outlive a burst.
                _routes.Remove((route.Dispatcher, route.Domain));
            }
            else if (route.Pending.Count > 0 && route.Reply is not null)
            {
                StartSessions(route);
            }
        }
    }

    /// <summary>The route's hosts and addresses in order until one greets and takes EHLO; the last error when none does.</summary>
    private async Task<(MtaSession? Session, MtaConnection? Conn, string Error, MtaRoute? Used)> ConnectAsync(MtaRouteState relay, MtaRouteReply route)
    {
        string action = relay.Dispatcher;
        var limits = relay.Limits;
        string error = "Network error on destination MXs";
        var sts = Security is null ? null : await Security.StsPolicyAsync(action, relay.Domain);
        foreach (var host in route.Hosts)
        {
            var hostTls = MtaHostTls.AsRouteSays;
            if (Security is not null)
            {
                var (policy, refusal) = await Security.ForHostAsync(action, route, host, sts);
                if (policy is null)
                {
                    // This host must not be used now (a failed TLSA lookup, an MX the MTA-STS policy does not name).
                    Log.Info($"smtp-out: skipping MX {host.Name}: {refusal}");
                    error = refusal;
                    continue;
                }

                hostTls = policy;
            }

            foreach (var text in host.Addresses)
            {
                if (!IPAddress.TryParse(text, out var address) || (limits.Family is { } family && address.AddressFamily != family))
                {
                    continue;
                }

                // A route whose first connection failed waits out its penalty (or `smtpctl resume route`).
                var path = _registry.Route(route.Source, address.ToString(), host.Name);
                if (path.IsDisabled(_registry.Now))
                {
                    continue;
                }

                _registry.Connecting(path);
                relay.LastConn = _registry.Now;

                // Opportunistic TLS that fails with a peer is tried once more in the clear (OpenSMTPD's MTA_DOWNGRADE_PLAIN);
                // required TLS never is.
                for (int pass = 0; pass < 2; pass++)
                {
                    bool allowTls = pass == 0;
                    var (session, conn, refused, tlsFailed) = await TryHostAsync(action, route, host, address, allowTls, hostTls);
                    if (session is not null)
                    {
                        path.Ok();
                        return (session, conn, string.Empty, path);
                    }

                    error = refused;
                    if (!(tlsFailed && route.Scheme == MtaScheme.Smtp && !hostTls.Required))
                    {
                        break;
                    }
                }

                path.Failed(_registry.Now);
                _registry.Closed(path);
            }
        }

        return (null, null, error, null);
    }

    /// <summary>One connection to one address of a host, up to ready for MAIL.</summary>
    private async Task<(MtaSession? Session, MtaConnection? Conn, string Error, bool TlsFailed)> TryHostAsync(string action, MtaRouteReply route, MtaHost host, IPAddress address, bool allowTls, MtaHostTls hostTls)
    {
        string error;
        bool tlsFailed = false;
        string scheme = route.Scheme switch
        {
            MtaScheme.Smtps => "smtps://",
            MtaScheme.Lmtp => "lmtp://",
            MtaScheme.SmtpTls => "smtp+tls://",
            MtaScheme.Smtp when hostTls.Required => "smtp+tls://",
            MtaScheme.Smtp when _tls.Available && allowTls => "smtp://",
            _ => "smtp+notls://",
        };
        ulong id = NewSessionId();
        string shown = address.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString();
        Log.Info(MtaLog.Connecting(id, scheme, shown, route.Port, host.Name));
        var socket = new Socket(address.AddressFamily, SocketType.Stream, ProtocolType.Tcp);
        MtaConnection? conn = null;
        try
        {
            if (route.Source.Length > 0 && IPAddress.TryParse(route.Source, out var src) && src.AddressFamily == address.AddressFamily)
            {
                socket.Bind(new IPEndPoint(src, 0));
            }

            using (var connectTimeout = new CancellationTokenSource(Timeout < TimeSpan.FromSeconds(30) ? Timeout : TimeSpan.FromSeconds(30)))
            {
                try
                {
                    await socket.ConnectAsync(new IPEndPoint(address, route.Port), connectTimeout.Token);
                }
                catch (OperationCanceledException)
                {
                    throw new MtaProtocolException("Connection timeout");
                }
            }

            socket.NoDelay = true;
            Log.Info(MtaLog.Connected(id));
            string? local = socket.LocalEndPoint is IPEndPoint l ? (l.Address.IsIPv4MappedToIPv6 ? l.Address.MapToIPv4() : l.Address).ToString() : null;
            conn = new MtaConnection(_streamOf(socket), Timeout);
            var session = new MtaSession(id, conn, route, _tls, action, allowTls, route.Helo.Length > 0 ? route.Helo : _hostname, host.Name, shown, local, hostTls, Security);
            string? refused = await session.OpenAsync();
            if (refused is null)
            {
                return (session, conn, string.Empty, false);
            }

            error = refused;
            tlsFailed = session.TlsFailed;
            Log.Info(MtaLog.Error(id, 0, refused));
        }
        catch (Exception e) when (IsConnectionError(e))
        {
            error = e is SocketException se ? "Connection failed: " + se.Message : e.Message;
            Log.Info(MtaLog.Error(id, 0, error));
        }

        if (conn is not null)
        {
            await conn.DisposeAsync();
        }
        else
        {
            socket.Dispose();
        }

        return (null, null, error, tlsFailed);
    }

    /// <summary>One task on an open session; false when the session is lost (its envelopes left are deferred).</summary>
    private async Task<bool> DeliverAsync(MtaSession session, MtaTask task, MtaRouteReply route)
    {
        if (route.MailFrom.Length > 0)
        {
            task.Sender = route.MailFrom;
        }

        // `relay srs`: forwarded mail (its recipient became another address here) leaves with the
        // sender rewritten under the forwarding domain, so that the next hop's SPF check sees us.
        var first = task.Envelopes[0];
        if (Srs is not null && UsesSrs(first.Dispatcher) && task.Sender.Contains('@', StringComparison.Ordinal)
            && first.Rcpt.Contains('@', StringComparison.Ordinal) && !string.Equals(first.Rcpt, first.Dest, StringComparison.Ordinal))
        {
            task.Sender = Srs.Encode(task.Sender, first.Rcpt[(first.Rcpt.LastIndexOf('@') + 1)..], DateTimeOffset.UtcNow);
        }

        var fd = await _openMessage(task.MsgId);
        if (fd is null)
        {
            FailTask(task, DeliveryOutcomeStatus.TempFail, "Temporary failure: cannot open message", session);
            return true;
        }

        await using var body = new FileStream(new SafeFileHandle(fd.Release(), ownsHandle: true), FileAccess.Read, 1);
        long size = body.Length;
        bool eightBit = await HasEightBitAsync(body);
        body.Position = 0;
        try
        {
            return await session.DeliverAsync(task, body, size, eightBit, (e, status, stat) => Report(session, e, status, stat));
        }
        catch (Exception e) when (IsConnectionError(e))
        {
            Log.Info(MtaLog.Error(session.Id, session.Messages, e.Message));
            FailTask(task, DeliveryOutcomeStatus.TempFail, e.Message, session);
            return false;
        }
#pragma warning disable CA1031 // Whatever went wrong, no envelope may stay in flight unanswered.
        catch (Exception e)
#pragma warning restore CA1031
        {
            Log.Warn($"warn: mta: session {session.Id:x16}: {e.GetType().Name}: {e.Message}");
            FailTask(task, DeliveryOutcomeStatus.TempFail, "Internal error in the mta session", session);
            return false;
        }
    }

    private void Report(MtaSession session, MtaDeliverRequest e, DeliveryOutcomeStatus status, string stat)
    {
        if (status != DeliveryOutcomeStatus.Ok)
        {
            _registry.HostStat(e.Domain, stat);
        }

        Log.Info(MtaLog.Delivery(session.Id, e, session.Source, session.RelayText, status, stat));
        _done(new MtaOutcome(e.EvpId, status, stat, status == DeliveryOutcomeStatus.Ok && session.PeerDsn ? string.Empty : session.Host));
        Remember(e, status);
    }

    /// <summary>Keeps deferred envelopes by domain; a delivery to the domain brings them back (mta_hoststat_cache, _reschedule).</summary>
    private void Remember(MtaDeliverRequest e, DeliveryOutcomeStatus status)
    {
        if (status == DeliveryOutcomeStatus.TempFail)
        {
            if (!_deferred.TryGetValue(e.Domain, out var set))
            {
                _deferred[e.Domain] = set = [];
            }

            // Bounded: a domain down for long keeps its envelopes in the scheduler's backoff only.
            if (set.Count < 10000)
            {
                set.Add(e.EvpId);
            }
        }
        else if (status == DeliveryOutcomeStatus.Ok && _deferred.Remove(e.Domain, out var waiting))
        {
            foreach (var evpid in waiting)
            {
                _scheduleNow(evpid);
            }
        }
    }

    private void FailTask(MtaTask task, DeliveryOutcomeStatus status, string error, MtaSession? session)
    {
        foreach (var e in task.Envelopes.Where(e => task.Reported.Add(e.EvpId)))
        {
            if (session is not null)
            {
                Report(session, e, status, error);
            }
            else
            {
                Log.Info(MtaLog.Delivery(NewSessionId(), e, null, "-", status, error));
                _registry.HostStat(e.Domain, error);
                _done(new MtaOutcome(e.EvpId, status, error, string.Empty));
                Remember(e, status);
            }
        }
    }

    private void FailPending(MtaRouteState route, DeliveryOutcomeStatus status, string error, MtaSession? session)
    {
        while (route.Pending.TryDequeue(out var task))
        {
            FailTask(task, status, error, session);
        }

        if (route.Sessions == 0)
        {
            _routes.Remove((route.Dispatcher, route.Domain));
        }
    }

    private static async Task<bool> HasEightBitAsync(Stream body)
    {
        var buf = new byte[64 * 1024];
        int n;
        while ((n = await body.ReadAsync(buf)) > 0)
        {
            if (buf.AsSpan(0, n).IndexOfAnyInRange((byte)0x80, (byte)0xff) >= 0)
            {
                return true;
            }
        }

        return false;
    }

    private static bool IsConnectionError(Exception e) =>
        e is MtaProtocolException or IOException or SocketException or ObjectDisposedException or OperationCanceledException;

    private static ulong NewSessionId() => (ulong)Random.Shared.NextInt64() ^ ((ulong)Random.Shared.Next() << 63);
}
