// The filter side of smtp-in sessions on filtered listeners: their phases go to the lookup agent,
// which runs the chain (builtin checks and filter processes) and answers; their report events go
// there too; and at DATA the lookup agent may hand back a socket that message lines go through.
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (smtp_filter_begin/end, smtp_query_filters,
// smtp_filter_data_begin, smtp_report_*), lka.c (IMSG_FILTER_SMTP_*).
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Smtpd.Ipc.Messages;
using Smtpd.Smtp;

namespace Smtpd.Dispatcher;

internal sealed partial class DispatcherSmtpHost
{
    // Filtered sessions' endpoints, as link-connect reports them, until link-connect is sent.
    private readonly Dictionary<ulong, (string Source, string Dest)> _endpoints = [];

    /// <summary>A filtered session's client and local endpoints, for its link-connect report.</summary>
    public void Endpoints(ulong sessionId, EndPoint? remote, EndPoint? local) =>
        _endpoints[sessionId] = (EndpointText(remote), EndpointText(local));

    public async ValueTask<SmtpFilterResult> FilterAsync(SmtpSession session, SmtpFilterPhase phase, string parameter, CancellationToken cancellationToken)
    {
        var (id, task) = _requests.Start();
        _lka.Post(new FilterQuery(id, session.Id, (byte)phase, parameter));
        var (reply, _) = await task;
        var r = reply.Read<FilterQueryReply>();
        var decision = (SmtpFilterDecision)r.Decision;
        return decision switch
        {
            SmtpFilterDecision.Rewrite => SmtpFilterResult.Rewrite(r.Parameter),
            SmtpFilterDecision.Reject => SmtpFilterResult.Reject(r.Parameter),
            SmtpFilterDecision.Disconnect => SmtpFilterResult.Disconnect(r.Parameter),
            SmtpFilterDecision.Junk => SmtpFilterResult.Junk,
            _ => SmtpFilterResult.Proceed,
        };
    }

    public void Report(SmtpSession session, string name, string[] fields)
    {
        long now = (DateTime.UtcNow.Ticks - DateTime.UnixEpoch.Ticks) / 10;
        if (name == "link-connect")
        {
            var (source, dest) = _endpoints.Remove(session.Id, out var e) ? e : ("unix:" + session.Options.Hostname, "unix:" + session.Options.Hostname);
            _lka.Post(new FilterBegin(session.Id, session.Options.ListenerIndex, session.Rdns, session.Fcrdns, session.ClientAddress, source, dest));
            fields = [.. fields, source, dest];
        }

        _lka.Post(new FilterReport(session.Id, now, name, fields));
        if (name == "link-disconnect")
        {
            _lka.Post(new FilterEnd(session.Id));
        }
    }

    public async ValueTask<ISmtpDataFilter?> OpenDataFilterAsync(SmtpTransaction transaction, CancellationToken cancellationToken)
    {
        var (id, task) = _requests.Start();
        _lka.Post(new FilterDataBegin(id, transaction.Session.Id));
        var (reply, fd) = await task;
        if (!reply.Read<FilterDataBeginReply>().Filtered || fd is null)
        {
            fd?.Dispose();
            return null;
        }

        var socket = new Socket(new SafeSocketHandle(fd.Release(), ownsHandle: true));
        Stream stream = (Stream?)LoopSocketStream.TryCreate(socket) ?? new NetworkStream(socket, ownsSocket: true);
        return new DataLineChannel(stream);
    }

    /// <summary>As OpenSMTPD's link-connect: "192.0.2.1:25", "[2001:db8::1]:25", or the UNIX socket's path.</summary>
    private static string EndpointText(EndPoint? ep)
    {
        if (ep is not IPEndPoint ip)
        {
            return "unix:" + (ep?.ToString() is { Length: > 0 } path ? path : "/var/run/smtpd.sock");
        }

        var a = ip.Address.IsIPv4MappedToIPv6 ? ip.Address.MapToIPv4() : ip.Address;
        string host = a.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{a}]" : a.ToString();
        return host + ":" + ip.Port.ToString(CultureInfo.InvariantCulture);
    }
}
