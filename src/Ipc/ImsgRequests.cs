// Requests a role makes of its peers and awaits: the one place request ids are allocated and
// replies matched to their waiters (OpenSMTPD keeps such a tree of pending reqids per subsystem).
// Every reply layout starts with the request id. Used on the role's loop only, so no locks; an
// optional timeout expires on the same loop (the await resumes on the loop's context). A reply
// nobody waits for is the caller's to judge (TryComplete), or a broken invariant (Complete
// throws ImsgFormatException and the role stops). A lost peer fails every request still waiting.
using System.Buffers.Binary;

namespace Smtpd.Ipc;

internal sealed class ImsgRequests<TReply>
{
    private readonly Dictionary<ulong, TaskCompletionSource<TReply>> _pending = [];
    private ulong _next = (ulong)Random.Shared.NextInt64();

    /// <summary>Requests still waiting for their reply.</summary>
    public int Pending => _pending.Count;

    /// <summary>A fresh request id and the task its reply completes; with a timeout, a TimeoutException after it.</summary>
    public (ulong ReqId, Task<TReply> Reply) Start(TimeSpan? timeout = null)
    {
        ulong id;
        do
        {
            id = ++_next;
        }
        while (id == 0 || _pending.ContainsKey(id));

        var waiter = new TaskCompletionSource<TReply>();
        _pending[id] = waiter;
        if (timeout is { } after)
        {
            _ = ExpireAsync(id, waiter, after);
        }

        return (id, waiter.Task);
    }

    /// <summary>Completes the request <paramref name="reqId"/>; false when nobody waits for it (unknown, or timed out).</summary>
    public bool TryComplete(ulong reqId, TReply reply)
    {
        if (!_pending.Remove(reqId, out var waiter))
        {
            return false;
        }

        waiter.SetResult(reply);
        return true;
    }

    /// <summary>Completes the request a reply of type <paramref name="type"/> answers; an unknown id is a protocol error.</summary>
    public void Complete(ImsgType type, ulong reqId, TReply reply)
    {
        if (!TryComplete(reqId, reply))
        {
            throw new ImsgFormatException($"{type}: unknown request id {reqId:x16}");
        }
    }

    /// <summary>The peer that would have answered is gone: every waiting request fails with <paramref name="reason"/>.</summary>
    public void FailAll(Exception reason)
    {
        var waiting = _pending.Values.ToList();
        _pending.Clear();
        foreach (var waiter in waiting)
        {
            waiter.TrySetException(reason);
        }
    }

    /// <summary>The request id every reply layout starts with.</summary>
    public static ulong ReqIdOf(Imsg reply) =>
        reply.Payload.Length >= 8 ? BinaryPrimitives.ReadUInt64LittleEndian(reply.Payload)
            : throw new ImsgFormatException($"{reply.Type}: reply without a request id");

    private async Task ExpireAsync(ulong id, TaskCompletionSource<TReply> waiter, TimeSpan after)
    {
        await Task.WhenAny(waiter.Task, Task.Delay(after));
        if (!waiter.Task.IsCompleted && _pending.Remove(id))
        {
            waiter.TrySetException(new TimeoutException($"no reply to request {id:x16} within {after.TotalSeconds:0.#}s"));
        }
    }
}
