// Requests the dispatcher makes of other roles and awaits: a table of pending request ids, each
// completed by the reply's handler on the same loop (no locks: one thread). Every reply layout
// starts with the request id.
using System.Buffers.Binary;
using Smtpd.Interop;
using Smtpd.Ipc;

namespace Smtpd.Dispatcher;

internal sealed class DispatcherRequests
{
    private readonly Dictionary<ulong, TaskCompletionSource<(Imsg Reply, SafeFd? Fd)>> _pending = [];
    private ulong _next = (ulong)Random.Shared.NextInt64();

    public int Pending => _pending.Count;

    public (ulong ReqId, Task<(Imsg Reply, SafeFd? Fd)> Reply) Start()
    {
        ulong id = ++_next;
        var tcs = new TaskCompletionSource<(Imsg, SafeFd?)>();
        _pending[id] = tcs;
        return (id, tcs.Task);
    }

    /// <summary>Completes the request a reply answers; a reply nobody waits for is a broken invariant.</summary>
    public void Complete(Imsg reply)
    {
        if (reply.Payload.Length < 8)
        {
            throw new ImsgFormatException($"{reply.Type}: reply without a request id");
        }

        ulong id = BinaryPrimitives.ReadUInt64LittleEndian(reply.Payload);
        if (!_pending.Remove(id, out var tcs))
        {
            throw new ImsgFormatException($"{reply.Type}: unknown request id {id:x16}");
        }

        // The descriptor is taken now: the message itself is disposed when the handler returns.
        tcs.SetResult((reply, reply.TakeFd()));
    }
}
