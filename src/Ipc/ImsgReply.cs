// A reply as the requester receives it: the message, and the descriptor it carried, taken out of
// it at once (the message itself is disposed when the dispatch that completed the request returns).
using Smtpd.Interop;

namespace Smtpd.Ipc;

internal readonly record struct ImsgReply(Imsg Reply, SafeFd? Fd);

internal static class ImsgReplyRequests
{
    /// <summary>Completes the request <paramref name="reply"/> answers (its payload starts with the request id); an unknown id is a protocol error.</summary>
    public static void Complete(this ImsgRequests<ImsgReply> requests, Imsg reply) =>
        requests.Complete(reply.Type, ImsgRequests<ImsgReply>.ReqIdOf(reply), new ImsgReply(reply, reply.TakeFd()));
}
