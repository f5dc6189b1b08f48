// The answer to Ping: the sequence number echoed back.
namespace Smtpd.Ipc.Messages;

internal readonly record struct Pong(ulong Sequence) : IImsgPayload<Pong>
{
    public static ImsgType Type => ImsgType.Pong;

    public static Pong Read(ref ImsgReader reader) => new(reader.ReadU64());

    public void Write(ref ImsgWriter writer) => writer.WriteU64(Sequence);
}
