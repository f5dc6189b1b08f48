// Replies: formatting limits, the failed-command log every 4xx/5xx reply produces, and
// flushing. Replies are queued in the transport's writer and flushed when input runs dry, which
// is all RFC 2920 asks of a server.
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (smtp_reply), usr.sbin/smtpd/esc.c
using System.IO.Pipelines;
using System.Text;
using Smtpd.Mime;

namespace Smtpd.Smtp;

internal sealed partial class SmtpSession
{
    private static string InvalidCommand { get; } = EnhancedStatus.ReplyText(EnhancedStatusClass.PermFail, EnhancedStatusCode.InvalidCommand);

    private static string InvalidArguments { get; } = EnhancedStatus.ReplyText(EnhancedStatusClass.PermFail, EnhancedStatusCode.InvalidCommandArguments);

    private static string TempFailCode { get; } = EnhancedStatus.Format(EnhancedStatusClass.TempFail, EnhancedStatusCode.OtherMailSystemStatus);

    private static string OkCode { get; } = EnhancedStatus.Format(EnhancedStatusClass.Success, EnhancedStatusCode.OtherStatus);

    /// <summary>Queues one reply line; 4xx and 5xx replies are logged as failed commands.</summary>
    private void Reply(string text)
    {
        if (text.Length > MaxReplyLength)
        {
            text = text[..MaxReplyLength];
        }

        if (_host.TraceEnabled)
        {
            _host.Trace(SmtpLog.TraceOutput(Id, text));
        }

        if (Options.Filtered)
        {
            ReportReply(text);
        }

        if (text[0] is '4' or '5')
        {
            if (!text.StartsWith("421", StringComparison.Ordinal))
            {
                _errors++;
            }

            _host.Log(Flags.HasFlag(SmtpSessionFlags.BadInput) ? SmtpLog.BadInput(Id, text)
                : _state is SmtpState.AuthInit or SmtpState.AuthUsername or SmtpState.AuthPassword ? SmtpLog.FailedAuthCommand(Id, _state, text)
                : SmtpLog.FailedCommand(Id, _command, text));
        }

        PipeWriter output = _transport.Output;
        Span<byte> span = output.GetSpan(text.Length + 2);
        int n = Encoding.Latin1.GetBytes(text, span);
        span[n] = (byte)'\r';
        span[n + 1] = (byte)'\n';
        output.Advance(n + 2);
        _unflushed = true;
    }

    private async ValueTask FlushRepliesAsync(CancellationToken cancellationToken)
    {
        if (!_unflushed)
        {
            return;
        }

        _unflushed = false;
        FlushResult flushed = await _transport.Output.FlushAsync(cancellationToken);
        if (flushed.IsCompleted && _state != SmtpState.Quit)
        {
            // The client stopped reading: nothing we say will be heard, so stop listening too.
            DisconnectReason ??= "disconnect";
            EnterState(SmtpState.Quit);
        }
    }
}
