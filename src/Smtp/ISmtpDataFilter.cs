// The message-line side of a filter chain (smtpd-filters(7) data-line): the session writes the
// lines it would have written to the spool, dot-stuffed as on the wire, ending with "."; the
// filtered lines come back the same way. Writes are buffered until FlushAsync.
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (tx->filter, smtp_filter_printf, filter_session_io)
namespace Smtpd.Smtp;

internal interface ISmtpDataFilter : IAsyncDisposable
{
    /// <summary>Buffered bytes waiting for <see cref="FlushAsync"/> passed the point where they should go out.</summary>
    bool NeedsFlush { get; }

    /// <summary>Queues one line (without its line end).</summary>
    void WriteLine(ReadOnlySpan<byte> line);

    ValueTask FlushAsync(CancellationToken cancellationToken);

    /// <summary>The next filtered line (without its line end), or null when the filters went away.</summary>
    ValueTask<byte[]?> ReadLineAsync();
}
