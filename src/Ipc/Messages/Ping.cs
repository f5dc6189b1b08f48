// Liveness probe and the IPC benchmark's unit of work: a sequence number and some bytes.
namespace Smtpd.Ipc.Messages;

internal readonly record struct Ping(ulong Sequence, byte[] Data) : IImsgPayload<Ping>
{
    public static ImsgType Type => ImsgType.Ping;

    public static Ping Read(ref ImsgReader reader) => new(reader.ReadU64(), reader.ReadBytes().ToArray());

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteU64(Sequence);
        writer.WriteBytes(Data);
    }
}
