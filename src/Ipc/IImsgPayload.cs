// A typed payload: it knows its message type and writes/reads itself without reflection.
namespace Smtpd.Ipc;

internal interface IImsgPayload<TSelf>
    where TSelf : IImsgPayload<TSelf>
{
    static abstract ImsgType Type { get; }

    void Write(ref ImsgWriter writer);

    static abstract TSelf Read(ref ImsgReader reader);
}
