// The dispatcher role: the network-facing process: smtp-in sessions on the sockets the parent
// bound, mta sessions, mda orchestration. Chrooted to the empty directory.
// Behaviour reference: usr.sbin/smtpd/dispatcher.c, smtp.c.
using System.Net.Sockets;
using Smtpd.Config;
using Smtpd.Interop;
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;
using Smtpd.Smtp;

namespace Smtpd.Dispatcher;

internal sealed partial class DispatcherProcess : RoleProcess
{
    private readonly List<(SetupListener Info, Socket Socket)> _listeners = [];
    private readonly DispatcherRequests _requests = new();
    private DispatcherSmtpHost? _host;
    private BounceSender? _bounces;
    private Mta.MtaAgent? _mta;
    private SmtpdConfig? _config;
    private SmtpSessionLimiter? _sessions;
    private readonly DispatcherTls _tls = new();

    // Set while smtpctl has smtp paused: accept loops wait on it before serving a client.
    private TaskCompletionSource? _smtpPaused;

    // ENFILE: the system's file table is full (Errno lists only what the code used so far).
    private const int EnfileErrno = 23;

    // Descriptors open when setup ended (counted before the chroot hides /proc): the session
    // limit is what the descriptor limit leaves beyond them.
    private int _openFdsAtStart = 64;

    public override ProcRole Role => ProcRole.Dispatcher;

    /// <summary>How long a client may stay silent; SMTPD_SESSION_TIMEOUT_SECS overrides it (tests).</summary>
    private static TimeSpan SessionTimeout =>
        Environment.GetEnvironmentVariable("SMTPD_SESSION_TIMEOUT_SECS") is { } v && int.TryParse(v, System.Globalization.CultureInfo.InvariantCulture, out int s) && s > 0
            ? TimeSpan.FromSeconds(s)
            : SmtpSession.SessionTimeout;

    // TLS (STARTTLS, smtps) is OpenSSL; a configuration without certificates never uses it,
    // unless it relays: the mta's STARTTLS to other servers.
    public override bool NeedsCrypto => Model.Pkis.Count > 0 || Model.Listeners.Any(l => l.Tls != ListenerTls.None) || Model.Actions.Any(a => a.IsRelay);

    // The mta's client contexts, made before the chroot (trust stores are files outside it).
    private Tls.TlsClientContexts? _clientTls;

    public override bool OnSetupMessage(Imsg msg)
    {
        if (msg.Type == ImsgType.CtlPauseSmtp)
        {
            // smtpd -P smtp: no client is served until smtpctl resume smtp.
            msg.ExpectEmpty();
            _smtpPaused ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return true;
        }

        if (msg.Type != ImsgType.SetupListener)
        {
            return false;
        }

        var info = msg.Read<SetupListener>();
        var fd = msg.TakeFd() ?? throw new ImsgFormatException("listener without a socket");
        _listeners.Add((info, new Socket(new SafeSocketHandle(fd.Release(), ownsHandle: true))));
        return true;
    }

    public override void BeforeDrop()
    {
        // Certificates and trust anchors are files outside the chroot; the keys stay in the ca.
        if (NeedsCrypto)
        {
            _tls.Load(Model, Peers[ProcRole.Ca]);
        }

        if (Model.Actions.Any(a => a.IsRelay))
        {
            _clientTls = Tls.TlsClientContexts.Create(Model, out string error);
            if (_clientTls is null)
            {
                Log.FatalX("smtpd: " + error);
            }
        }

        try
        {
            _openFdsAtStart = Directory.EnumerateFileSystemEntries("/proc/self/fd").Count();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // No /proc: keep the guess.
        }
    }

    public override Task StartAsync()
    {
        _config = Model;
        int maxSessions = SmtpSessionLimiter.Derive(Posix.GetOpenFilesLimit().Soft, _openFdsAtStart, Limit(_config.SmtpLimits, "max-session"));
        _sessions = new SmtpSessionLimiter(maxSessions, Limit(_config.SmtpLimits, "max-session-per-address"), Log.Warn);
        Log.Debug($"debug: smtp: will accept at most {maxSessions} clients");
        // At least one: a limit of 0 would keep mail in the queue until it expires.
        _mda = new(Math.Max(1, Limit(_config.MdaLimits, "max-session") ?? MdaLimiter.DefaultMaxSessions),
            Math.Max(1, Limit(_config.MdaLimits, "max-session-per-user") ?? MdaLimiter.DefaultMaxPerUser));
        _host = new DispatcherSmtpHost(Peers[ProcRole.Lka], Peers[ProcRole.Queue], _requests, _tls);
        _bounces = new BounceSender(Peers[ProcRole.Lka], Peers[ProcRole.Queue], _requests, Settings.Hostname);
        _mta = new Mta.MtaAgent(LookupMtaRouteAsync, OpenMessageAsync, outcome => Peers[ProcRole.Queue].Post(outcome),
            socket => LoopSocketStream.TryCreate(socket) ?? (Stream)new NetworkStream(socket, ownsSocket: true), _clientTls is null ? new Mta.NoMtaTls() : new Mta.MtaTls(_clientTls), Settings.Hostname,
            evpid => Peers[ProcRole.Queue].Post(new MtaSchedule(evpid)), domain => Mta.MtaLimits.For(Model, domain),
            (action, domain, reply) => Mta.MtaRelayText.For(Model.Actions.FirstOrDefault(a => a.Name == action), domain, reply))
        {
            Security = MtaSecurity(),
            Srs = Model.SrsKey is { } srsKey ? new Mime.Srs(srsKey, Model.SrsKeyBackup, (Model.SrsTtl ?? (4 * 86400)) / 86400) : null,
            UsesSrs = action => Model.Actions.Any(a => a.Name == action && a.Srs),
        };
        foreach (var (info, socket) in _listeners)
        {
            var options = info.ListenerIndex == SetupListener.EnqueueSocket
                ? EnqueueOptions(_config, socket)
                : ListenerOptions(_config, _config.Listeners[info.ListenerIndex], socket) with { ListenerIndex = info.ListenerIndex };
            Log.Debug($"debug: smtp: listen on {info.Address}");
            _ = AcceptLoopAsync(socket, options);
        }

        return Task.CompletedTask;
    }

    private SmtpListenerOptions ListenerOptions(SmtpdConfig config, ListenerDef l, Socket socket) => new()
    {
        Hostname = l.Hostname ?? Settings.Hostname,
        Tag = l.Tag ?? string.Empty,
        MaxMessageSize = config.SmtpMaxMessageSize ?? SmtpListenerOptions.DefaultMaxMessageSize,
        MaxRecipients = Limit(config.SmtpLimits, "max-rcpt") ?? 1000,
        MaxMails = Limit(config.SmtpLimits, "max-mails") ?? 100,
        MaxErrors = Limit(config.SmtpLimits, "max-errors") ?? 20,
        MaxAuthFailures = Limit(config.SmtpLimits, "max-auth-failures") ?? 3,
        CommandTimeout = Limit(config.SmtpLimits, "command-timeout") is int ct ? TimeSpan.FromSeconds(ct) : SmtpSession.SessionTimeout,
        DataTimeout = Limit(config.SmtpLimits, "data-timeout") is int dt ? TimeSpan.FromSeconds(dt) : TimeSpan.FromHours(1),
        SubaddressingDelimiter = config.SmtpSubAddrDelim is { Length: > 0 } d ? d[0] : '+',
        // tls and tls-require offer STARTTLS, smtps starts TLS before the banner; tls-require
        // and auth refuse MAIL FROM until STARTTLS or AUTH succeeded.
        StartTls = l.Tls is ListenerTls.StartTls or ListenerTls.StartTlsRequire,
        StartTlsRequired = l.Tls == ListenerTls.StartTlsRequire,
        Smtps = l.Tls == ListenerTls.Smtps,
        CertificateAuth = l.TlsVerify && l.Auth != ListenerAuth.None,
        // AUTH is offered once the channel is secure (SmtpSession.AdvertiseAuth), so only over TLS.
        Auth = l.Auth != ListenerAuth.None,
        AuthRequired = l.Auth == ListenerAuth.Required,
        Dsn = !l.NoDsn,
        MaskSource = l.MaskSrc,
        ReceivedAuth = l.ReceivedAuth,
        Port = (socket.LocalEndPoint as System.Net.IPEndPoint)?.Port ?? 25,
        Masquerade = l.Masquerade,
        Filtered = l.Filter is not null || l.FilterChain.Count > 0,
        Senders = l.Senders is not null,
        ClientFingerprints = l.ClientFingerprints is not null,
        ClientCertificateRequired = l.TlsVerify,
    };

    // The local enqueue socket takes its options from `listen on socket` (tag, mask-src, no-dsn),
    // as OpenSMTPD's local enqueuer does; its sessions are local: authenticated, Date and
    // Message-ID added when missing, client "local" (so `from local` and `from socket` match).
    private SmtpListenerOptions EnqueueOptions(SmtpdConfig config, Socket socket) =>
        ListenerOptions(config, config.Listeners.LastOrDefault(l => l.IsSocket) ?? new ListenerDef { IsSocket = true }, socket) with
        {
            ListenerIndex = SetupListener.EnqueueSocket,
            Local = true,
        };

    // The last setting of a key wins, as when OpenSMTPD's parser assigns it again.
    private static int? Limit(ValueList<LimitSetting> limits, string name) =>
        limits.LastOrDefault(x => x.Key == name) is { } s ? (int)Math.Min(s.Value, int.MaxValue) : null;

    private async Task AcceptLoopAsync(Socket listener, SmtpListenerOptions options)
    {
        var sessions = _sessions!;
        while (true)
        {
            // At the limit, accept nothing: clients wait in the backlog until a session ends.
            // Two listeners woken together may each take one more: the limit can be passed by
            // at most one session a listener.
            await sessions.WaitForRoomAsync();
            Socket client;
            try
            {
                client = await listener.AcceptAsync();
            }
            catch (SocketException e) when (e.SocketErrorCode == SocketError.TooManyOpenSockets || e.NativeErrorCode is (int)Errno.EMFILE or EnfileErrno)
            {
                // Out of descriptors: a temporary condition. Stop accepting until a session
                // ends (or a moment has passed); the backlog holds the clients meanwhile.
                sessions.Exhausted(e.Message);
                _ = RetryAcceptAsync(sessions);
                continue;
            }
            catch (SocketException e)
            {
                // One bad moment (a client gone before it was accepted) must not end the listener.
                Log.Warn($"warn: smtp: accept: {e.Message}");
                await Task.Delay(100);
                continue;
            }

            // smtpctl pause smtp: what arrives now waits, unanswered, until smtp resumes.
            if (_smtpPaused is { } paused)
            {
                await paused.Task;
            }

            string address = AddressText(client.RemoteEndPoint);
            if (!sessions.TryAdmit(address))
            {
                _ = RefuseAsync(client, options, address, sessions.MaxPerAddress);
                continue;
            }

            _ = ServeAsync(client, options, address, sessions);
        }
    }

    private static async Task RetryAcceptAsync(SmtpSessionLimiter sessions)
    {
        await Task.Delay(SmtpSessionLimiter.ExhaustionRetry);
        sessions.RetryAfterExhaustion();
    }

    /// <summary>A client over its address's session limit: a 421 (if it listens) and the door.</summary>
    private static async Task RefuseAsync(Socket client, SmtpListenerOptions options, string address, int limit)
    {
        Log.Warn($"warn: smtp: refusing connection from {address}: {limit} sessions from this address already (max-session-per-address)");
        using (client)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
                byte[] reply = System.Text.Encoding.ASCII.GetBytes($"421 4.7.0 {options.Hostname} Too many connections from your address, try again later\r\n");
                await client.SendAsync(reply, SocketFlags.None, timeout.Token);
                client.Shutdown(SocketShutdown.Both);
            }
            catch (Exception e) when (e is SocketException or OperationCanceledException or ObjectDisposedException)
            {
                // It left or does not read: closing is all that is left to do.
            }
        }
    }

    private async Task ServeAsync(Socket client, SmtpListenerOptions options, string address, SmtpSessionLimiter sessions)
    {
        bool counted = false;
        try
        {
            if (client.AddressFamily != AddressFamily.Unix)
            {
                client.NoDelay = true;
            }

            Stream connection = LoopSocketStream.TryCreate(client) ?? (Stream)new NetworkStream(client, ownsSocket: true);
            await using var stream = new IdleTimeoutStream(connection, SessionTimeout);
            var pipe = new DuplexPipe(System.IO.Pipelines.PipeReader.Create(stream, new(leaveOpen: true)), System.IO.Pipelines.PipeWriter.Create(stream, new(leaveOpen: true)));
            Stat.Increment("smtp.session");
            Stat.Increment(client.AddressFamily switch
            {
                AddressFamily.InterNetwork => "smtp.session.inet4",
                AddressFamily.InterNetworkV6 => "smtp.session.inet6",
                _ => "smtp.session.local",
            });
            counted = true;
            ulong id = SessionId();
            if (options.Filtered)
            {
                _host!.Endpoints(id, client.RemoteEndPoint, client.LocalEndPoint);
            }

            using var session = new SmtpSession(id, options, _host!, pipe, address);
            _tls.Attach(session.Id, stream);
            try
            {
                await session.RunAsync(stream.Idle);
            }
            finally
            {
                await _tls.DetachAsync(session.Id);
            }
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            // The client vanished mid-session; the session has logged what it could.
        }
        finally
        {
            if (counted)
            {
                Stat.Decrement("smtp.session");
            }

            sessions.Release(address);
        }
    }

    /// <summary>As OpenSMTPD's ss_to_text: dotted IPv4, bracketed IPv6, "local" for the UNIX socket.</summary>
    private static string AddressText(System.Net.EndPoint? ep)
    {
        if (ep is not System.Net.IPEndPoint ip)
        {
            return "local";
        }

        var a = ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address;
        return a.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{a}]" : a.ToString();
    }

    private static ulong SessionId() => (ulong)Random.Shared.NextInt64() ^ ((ulong)Random.Shared.Next() << 63);
}
