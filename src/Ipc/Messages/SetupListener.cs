// A listening socket the parent bound for the dispatcher (the descriptor rides along): which
// `listen on` it belongs to (or the local enqueue socket), and the address it is bound to, for logs.
namespace Smtpd.Ipc.Messages;

internal readonly record struct SetupListener(int ListenerIndex, string Address) : IImsgPayload<SetupListener>
{
    /// <summary>The listener index of the local enqueue socket, which no `listen on` names.</summary>
    public const int EnqueueSocket = -1;

    public static ImsgType Type => ImsgType.SetupListener;

    public static SetupListener Read(ref ImsgReader reader) => new(reader.ReadI32(), reader.ReadRequiredString());

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteI32(ListenerIndex);
        writer.WriteString(Address);
    }
}
