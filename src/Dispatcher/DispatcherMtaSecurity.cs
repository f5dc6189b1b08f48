// The mta's secure-transport policies wired to the lka (TLSA records, MTA-STS records, pinned
// fingerprints: the mta never reads tables or asks DNS itself) and to the TLS client contexts
// made before the chroot (the MTA-STS policy fetch over HTTPS).
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;

namespace Smtpd.Dispatcher;

internal sealed partial class DispatcherProcess
{
    private Mta.MtaSecurity MtaSecurity()
    {
        var fetcher = _clientTls is null ? null
            : new Mta.MtaStsFetcher(_clientTls, socket => LoopSocketStream.TryCreate(socket) ?? (Stream)new System.Net.Sockets.NetworkStream(socket, ownsSocket: true));
        return new Mta.MtaSecurity(Model,
            q => AskLkaAsync<MtaTlsaLookup, MtaTlsaReply>(id => q with { ReqId = id }),
            q => AskLkaAsync<MtaStsLookup, MtaStsReply>(id => q with { ReqId = id }),
            q => AskLkaAsync<MtaFingerprintCheck, MtaFingerprintReply>(id => q with { ReqId = id }),
            fetcher);
    }

    /// <summary>A request to the lka (made with the request id it is given) and its reply.</summary>
    private async Task<TReply> AskLkaAsync<TRequest, TReply>(Func<ulong, TRequest> request)
        where TRequest : IImsgPayload<TRequest>
        where TReply : IImsgPayload<TReply>
    {
        var (id, task) = _requests.Start();
        Peers[ProcRole.Lka].Post(request(id));
        var (reply, _) = await task;
        return reply.Read<TReply>();
    }
}
