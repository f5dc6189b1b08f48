// One server-side SMTP session: the read loop, command dispatch through SmtpCommandTable, and the
// one place where the state changes. Commands are answered strictly in order, so pipelined input (RFC 2920) needs nothing
// special: replies are buffered while complete lines remain and flushed when input runs dry.
// This is where we differ from OpenSMTPD on purpose: it refuses pipelining and never advertises it.
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (smtp_session, smtp_io, smtp_command,
// smtp_enter_state, smtp_reply, smtp_free)
using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using Smtpd.Ipc.Messages;
using Smtpd.Mime;

namespace Smtpd.Smtp;

internal sealed partial class SmtpSession : IDisposable
{
    /// <summary>SMTPD_SESSION_TIMEOUT: the host cancels RunAsync's token after this long without input.</summary>
    public static readonly TimeSpan SessionTimeout = TimeSpan.FromSeconds(300);

    /// <summary>LINE_MAX: a command line must be shorter than this.</summary>
    public const int MaxCommandLength = 2048;

    /// <summary>Replies are formatted into LINE_MAX * 2 bytes; longer ones are cut.</summary>
    public const int MaxReplyLength = 4095;

    private readonly ISmtpSessionHost _host;
    private readonly SmtpLineReader _lines = new();
    private readonly TimeProvider _time;
    private IDuplexPipe _transport;
    private ReadOnlySequence<byte> _pending;
    private SmtpState _state;
    private string _command = string.Empty;
    private bool _bannerSent;
    private bool _lastLineEndedInCrLf;
    private SmtpDeadline? _deadline;

    // 4xx and 5xx replies so far, and failed AUTH attempts: past their limits the session ends.
    private int _errors;
    private int _authFailures;

    // Set by Reply, cleared by a flush. Not UnflushedBytes: a pipe whose reader is gone drops
    // writes without counting them, and the flush is what tells us the reader is gone.
    private bool _unflushed;

    public SmtpSession(ulong id, SmtpListenerOptions options, ISmtpSessionHost host, IDuplexPipe transport, string clientAddress, TimeProvider? time = null)
    {
        Id = id;
        Options = options;
        _host = host;
        _transport = transport;
        ClientAddress = clientAddress;
        ServerName = options.Hostname;
        _time = time ?? TimeProvider.System;
        if (options.Local)
        {
            Flags |= SmtpSessionFlags.Authenticated;
        }
    }

    private enum LineAction
    {
        NeedInput,
        Command,
        TooLong,
        FlushBody,
        EndOfMessage,
    }

    public ulong Id { get; }

    public SmtpListenerOptions Options { get; }

    /// <summary>The client as OpenSMTPD prints it: "192.0.2.1", "[2001:db8::1]" or "local".</summary>
    public string ClientAddress { get; }

    public string Rdns { get; private set; } = "<unknown>";

    public FcrdnsResult Fcrdns { get; private set; }

    /// <summary>The name this session presents (smtpname): the listener's, or a hostnames table's.</summary>
    public string ServerName { get; private set; }

    /// <summary>The HELO/EHLO argument, empty until one succeeded (and again after STARTTLS).</summary>
    public string Helo { get; private set; } = string.Empty;

    /// <summary>The authenticated user name: empty unless an AUTH succeeded.</summary>
    public string Username { get; private set; } = string.Empty;

    public SmtpSessionFlags Flags { get; private set; }

    public SmtpState State => _state;

    /// <summary>The verb of the last command line (OpenSMTPD's last_cmd), Unknown for anything else.</summary>
    public SmtpCommand LastCommand { get; private set; } = SmtpCommand.Unknown;

    /// <summary>Messages accepted in this session.</summary>
    public int MailCount { get; private set; }

    public SmtpTransaction? Transaction { get; private set; }

    public SmtpTlsResult? Tls { get; private set; }

    /// <summary>Why the session ended: quit, disconnect, timeout, tls-accept-failed or "io-error: ...".</summary>
    public string? DisconnectReason { get; private set; }

    private bool AdvertiseTls => Options.StartTls && !Flags.HasFlag(SmtpSessionFlags.Secure);

    private bool AdvertiseAuth => Options.Auth && Flags.HasFlag(SmtpSessionFlags.Secure) && !Flags.HasFlag(SmtpSessionFlags.Authenticated);

    private string BracketedAddress => ClientAddress.StartsWith('[') ? ClientAddress : "[" + ClientAddress + "]";

    /// <summary>
    /// Runs the session to its end: greeting, commands, disconnect. Returns normally in every
    /// case a client can cause; cancelling the token is treated as the session timeout.
    /// </summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        string reason = "quit";
        using var deadline = new SmtpDeadline(_time, cancellationToken);
        _deadline = deadline;
        deadline.Arm(Options.CommandTimeout);
        cancellationToken = deadline.Token;
        try
        {
            await ConnectAsync(cancellationToken);
            while (_state != SmtpState.Quit)
            {
                ReadResult result = await _transport.Input.ReadAsync(cancellationToken);
                _pending = result.Buffer;
                await ProcessInputAsync(cancellationToken);
                if (_state == SmtpState.Tls)
                {
                    // Anything sent along with STARTTLS was sent in the clear: drop it (CVE-2011-0411 class).
                    _transport.Input.AdvanceTo(_pending.End);
                    _pending = default;
                    await FlushRepliesAsync(cancellationToken);
                    if (!await StartTlsAsync(cancellationToken))
                    {
                        reason = "tls-accept-failed";
                        break;
                    }

                    continue;
                }

                _transport.Input.AdvanceTo(_pending.Start, _pending.End);
                _pending = default;
                await FlushRepliesAsync(cancellationToken);
                if (result.IsCompleted && _state != SmtpState.Quit)
                {
                    reason = "disconnect";
                    break;
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            reason = "timeout";
        }
        catch (IOException e)
        {
            reason = SmtpLog.IoErrorReason(e.Message);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // A bug or a broken host: still roll back and log the end, then let the caller see it.
            reason = SmtpLog.IoErrorReason(e.Message);
            await EndAsync(reason);
            throw;
        }

        await EndAsync(reason);
    }

    private async ValueTask ConnectAsync(CancellationToken cancellationToken)
    {
        SmtpClientIdentity identity = await _host.LookupClientAsync(this, cancellationToken);
        Rdns = identity.Rdns;
        Fcrdns = identity.Fcrdns;
        if (!string.IsNullOrEmpty(identity.ServerName))
        {
            ServerName = identity.ServerName;
        }

        if (Options.Local && Rdns == "localhost")
        {
            Flags |= SmtpSessionFlags.Bounce;
        }

        EnterState(SmtpState.Connected);
        _host.Log(SmtpLog.Connected(Id, ClientAddress, Rdns));
        Report("link-connect", Rdns, FcrdnsText(Fcrdns));
        (bool proceed, _) = await FilterAsync(SmtpFilterPhase.Connect, ClientAddress, recheck: null, cancellationToken);
        if (!proceed)
        {
            // Refused at connect: the reply stands in for the banner, which is never sent.
            await FlushRepliesAsync(cancellationToken);
            return;
        }

        if (Options.Smtps)
        {
            if (!await StartTlsAsync(cancellationToken))
            {
                DisconnectReason = "tls-accept-failed";
                EnterState(SmtpState.Quit);
                return;
            }
        }
        else
        {
            SendBanner();
        }

        await FlushRepliesAsync(cancellationToken);
    }

    private void SendBanner()
    {
        Reply("220 " + ServerName + " ESMTP OpenSMTPD");
        _bannerSent = true;
        Report("link-greeting", ServerName);
    }

    /// <summary>Consumes complete lines from the pending input until it runs out or the session must stop reading.</summary>
    private async ValueTask ProcessInputAsync(CancellationToken cancellationToken)
    {
        while (_state is not (SmtpState.Quit or SmtpState.Tls))
        {
            switch (NextLine(out string? command))
            {
                case LineAction.NeedInput:
                    return;
                case LineAction.TooLong:
                    Flags |= SmtpSessionFlags.BadInput;
                    Reply("500 " + EnhancedStatus.Format(EnhancedStatusClass.PermFail, EnhancedStatusCode.OtherStatus) + " Line too long");
                    EnterState(SmtpState.Quit);
                    return;
                case LineAction.FlushBody:
                    await FlushBodyAsync(cancellationToken);
                    break;
                case LineAction.EndOfMessage:
                    _deadline?.Arm(Options.CommandTimeout);
                    await EndOfMessageAsync(cancellationToken);
                    break;
                case LineAction.Command:
                    _deadline?.Arm(Options.CommandTimeout);
                    await CommandAsync(command!, cancellationToken);
                    break;
            }

            if (_errors >= Options.MaxErrors && _state != SmtpState.Quit)
            {
                // Pipelined input after the last error is not read: one client cannot make us
                // log a line per few bytes it sends (Postfix's hard error limit).
                Reply("421 " + EnhancedStatus.Format(EnhancedStatusClass.TempFail, EnhancedStatusCode.OtherSecurityStatus) + " " + ServerName + " Too many errors, closing connection");
                DisconnectReason = "too-many-errors";
                EnterState(SmtpState.Quit);
            }
        }
    }

    /// <summary>Takes the next line; message lines are handled here without leaving the method.</summary>
    private LineAction NextLine(out string? command)
    {
        command = null;
        while (true)
        {
            SmtpLineStatus status = _lines.TryReadLine(ref _pending, out ReadOnlySpan<byte> line, out bool crlf);
            if (status == SmtpLineStatus.Incomplete)
            {
                return LineAction.NeedInput;
            }

            if (status == SmtpLineStatus.TooLong)
            {
                return LineAction.TooLong;
            }

            if (_state == SmtpState.Body)
            {
                if (DataLine(line, crlf))
                {
                    return LineAction.EndOfMessage;
                }

                if (Transaction?.Message?.NeedsFlush == true || Transaction?.DataFilter?.NeedsFlush == true)
                {
                    return LineAction.FlushBody;
                }

                continue;
            }

            // A C string ends at the first NUL; so does an OpenSMTPD command line.
            int nul = line.IndexOf((byte)0);
            command = Encoding.Latin1.GetString(nul >= 0 ? line[..nul] : line);
            return LineAction.Command;
        }
    }

    private async ValueTask CommandAsync(string line, CancellationToken cancellationToken)
    {
        if (line.Length >= MaxCommandLength)
        {
            Flags |= SmtpSessionFlags.BadInput;
            Reply("500 " + EnhancedStatus.Format(EnhancedStatusClass.PermFail, EnhancedStatusCode.OtherStatus) + " Command line too long");
            EnterState(SmtpState.Quit);
            return;
        }

        _command = line;
        if (_host.TraceEnabled)
        {
            _host.Trace(SmtpLog.TraceInput(Id, MaskCredentials(line)));
        }

        if (Options.Filtered)
        {
            Report("protocol-client", MaskCredentials(line));
        }

        if (_state == SmtpState.AuthInit)
        {
            await AuthPlainAsync(line, cancellationToken);
            return;
        }

        if (_state is SmtpState.AuthUsername or SmtpState.AuthPassword)
        {
            await AuthLoginAsync(line, cancellationToken);
            return;
        }

        (string verb, string? args) = SmtpCommandTable.Split(line);
        SmtpCommandRow? row = SmtpCommandTable.Find(verb);
        LastCommand = row?.Command ?? SmtpCommand.Unknown;
        if (row is null || row.Command == SmtpCommand.Commit)
        {
            Reply("500 " + InvalidCommand + ": Command unrecognized");
            return;
        }

        if (!row.Check(this, args))
        {
            return;
        }

        // HELP and WIZ have filter phases but OpenSMTPD never consults them.
        if (row.Command is not (SmtpCommand.Help or SmtpCommand.Wiz))
        {
            (bool proceed, string? filtered) = await FilterAsync(row.Phase, FilterArgument(row.Command, args), a => row.Check(this, a), cancellationToken);
            if (!proceed)
            {
                return;
            }

            args = filtered ?? args;
        }

        await row.Proceed(this, args, cancellationToken);
    }

    /// <summary>What a trace shows of a line: never a password, unlike OpenSMTPD's -T smtp.</summary>
    private string MaskCredentials(string line)
    {
        if (_state is SmtpState.AuthInit or SmtpState.AuthUsername or SmtpState.AuthPassword)
        {
            return "********";
        }

        (string verb, string? args) = SmtpCommandTable.Split(line);
        int space = args?.IndexOfAny([' ', '\t']) ?? -1;
        return verb.Equals("AUTH", StringComparison.OrdinalIgnoreCase) && space >= 0 ? line[..(line.Length - args!.Length + space)] + " ********" : line;
    }

    /// <summary>The only place the state changes; traced as OpenSMTPD's -T smtp does.</summary>
    private void EnterState(SmtpState newState)
    {
        if (_host.TraceEnabled)
        {
            _host.Trace(SmtpLog.StateChange(Id, _state, newState));
        }

        _state = newState;
    }

    private async ValueTask EndAsync(string reason)
    {
        DisconnectReason ??= reason;
        if (DisconnectReason == "timeout")
        {
            Report("timeout");
        }

        try
        {
            await FlushRepliesAsync(CancellationToken.None);
        }
        catch (IOException)
        {
            // The client is gone; the replies it did not read do not matter any more.
        }

        if (Transaction is not null)
        {
            await FreeTransactionAsync(rollback: true);
        }

        _host.Log(SmtpLog.Disconnected(Id, DisconnectReason));
        Report("link-disconnect");
        await _transport.Output.CompleteAsync();
        await _transport.Input.CompleteAsync();
        _lines.Dispose();
    }

    public void Dispose() => _lines.Dispose();
}
