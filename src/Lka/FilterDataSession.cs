// One message's lines on their way through the chain's data-line filters: read from the
// session's socket, handed from filter to filter (each filter's output is the next one's
// input), and written back to the socket by the last. The "." that ends the message follows
// the same way; if it has not come back within the filters' deadline, or a filter fails, the
// socket is closed and the dispatcher refuses the message temporarily.
// Behaviour reference: usr.sbin/smtpd/lka_filter.c (lka_filter_data_begin, filter_session_io,
// filter_data_internal, filter_data_query).
using Smtpd.Runtime;

namespace Smtpd.Lka;

internal sealed class FilterDataSession
{
    private readonly ulong _session;
    private readonly (IDataLineStage Stage, ulong Token)[] _stages;
    private readonly LineSocket _socket;
    private readonly TimeSpan _timeout;
    private bool _ended;
    private bool _complete;

    public FilterDataSession(ulong session, (IDataLineStage Stage, ulong Token)[] stages, LineSocket socket, TimeSpan timeout)
    {
        _session = session;
        _stages = stages;
        _socket = socket;
        _timeout = timeout;
        for (int i = 0; i < stages.Length; i++)
        {
            int next = i + 1;
            stages[i].Stage.OpenData(session, stages[i].Token, line => Forward(next, line));
        }
    }

    public async Task RunAsync()
    {
        while (!_ended)
        {
            var (line, _) = await _socket.ReadLineAsync();
            if (line is null)
            {
                // The session is done with the socket: after the whole message, or gone before.
                End();
                return;
            }

            if (_complete)
            {
                continue;
            }

            Forward(0, line);
            if (line == ".")
            {
                _ = DeadlineAsync();
            }
        }
    }

    /// <summary>The session ended: stop whatever is in flight.</summary>
    public void End()
    {
        if (_ended)
        {
            return;
        }

        _ended = true;
        foreach (var (stage, token) in _stages)
        {
            stage.CloseData(_session, token);
        }

        _socket.Dispose();
    }

    // A line leaves stage next-1 (or comes from the session when next is 0); null: that filter failed.
    private void Forward(int next, string? line)
    {
        if (_ended)
        {
            return;
        }

        if (line is null)
        {
            Log.Warn($"warn: {_session:x16} filters: message filter failed; the message is refused for now");
            End();
            return;
        }

        if (next < _stages.Length)
        {
            _stages[next].Stage.SendDataLine(_session, _stages[next].Token, line);
            return;
        }

        _socket.Send(line);
        if (line == ".")
        {
            _complete = true;
        }
    }

    private async Task DeadlineAsync()
    {
        await Task.Delay(_timeout);
        if (!_complete && !_ended)
        {
            Log.Warn($"warn: {_session:x16} filters: message not back from the filters within {_timeout.TotalSeconds:0} seconds; the message is refused for now");
            End();
        }
    }
}
