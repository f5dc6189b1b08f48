// One received message: header fields, payload bytes, and the descriptor that came with it
// (owned by whoever takes it; disposed with the message otherwise).
using Smtpd.Interop;

namespace Smtpd.Ipc;

internal sealed class Imsg : IDisposable
{
    public Imsg(ImsgType type, uint peerId, uint pid, byte[] payload, SafeFd? fd)
    {
        Type = type;
        PeerId = peerId;
        Pid = pid;
        Payload = payload;
        Fd = fd;
    }

    public ImsgType Type { get; }

    public uint PeerId { get; }

    public uint Pid { get; }

    public byte[] Payload { get; }

    public SafeFd? Fd { get; private set; }

    /// <summary>The frame announced a descriptor this process could not receive (out of descriptors).</summary>
    public bool FdLost { get; init; }

    /// <summary>Takes the descriptor; the message no longer closes it.</summary>
    public SafeFd? TakeFd()
    {
        var fd = Fd;
        Fd = null;
        return fd;
    }

    /// <summary>Decodes a typed payload, checking the type and that every byte was used.</summary>
    public T Read<T>()
        where T : IImsgPayload<T>
    {
        if (Type != T.Type)
        {
            throw new ImsgFormatException($"expected {T.Type}, got {Type}");
        }

        var reader = new ImsgReader(Payload);
        var value = T.Read(ref reader);
        reader.End();
        return value;
    }

    /// <summary>Decodes a layout shared by several types; the caller has already switched on <see cref="Type"/>.</summary>
    public T ReadAs<T>()
        where T : IImsgLayout<T>
    {
        var reader = new ImsgReader(Payload);
        var value = T.Read(ref reader);
        reader.End();
        return value;
    }

    /// <summary>For messages whose whole meaning is in the header: insists the payload is empty.</summary>
    public void ExpectEmpty()
    {
        if (Payload.Length != 0)
        {
            throw new ImsgFormatException($"{Type}: {Payload.Length} unexpected payload bytes");
        }
    }

    public void Dispose() => Fd?.Dispose();
}
