// Typed payloads: they write and read themselves without reflection. A layout may serve several
// message types (requests that carry only a request id and a message id, say); a payload is a
// layout bound to exactly one type.
namespace Smtpd.Ipc;

internal interface IImsgLayout<TSelf>
    where TSelf : IImsgLayout<TSelf>
{
    void Write(ref ImsgWriter writer);

    static abstract TSelf Read(ref ImsgReader reader);
}

internal interface IImsgPayload<TSelf> : IImsgLayout<TSelf>
    where TSelf : IImsgPayload<TSelf>
{
    static abstract ImsgType Type { get; }
}
