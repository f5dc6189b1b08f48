// Dispatcher ↔ crypto role: a private-key operation for one pki, asked from inside a TLS
// handshake on a socket reserved for it (CaKeyChannel carries that socket once, at start-up),
// and its result. The key itself never leaves the crypto role.
// Behaviour reference: usr.sbin/smtpd/ca.c (rsae_send_imsg, ca_imsg).
namespace Smtpd.Ipc.Messages;

/// <summary>Perform <paramref name="Operation"/> with pki <paramref name="Pki"/>'s key on <paramref name="Input"/>.</summary>
internal readonly record struct CaKeyOperation(string Pki, KeyOperation Operation, int Parameter, byte[] Input) : IImsgPayload<CaKeyOperation>
{
    public static ImsgType Type => ImsgType.CaKeyOperation;

    public static CaKeyOperation Read(ref ImsgReader reader)
    {
        var pki = reader.ReadRequiredString();
        var op = (KeyOperation)reader.ReadU8();
        if (!Enum.IsDefined(op))
        {
            throw new ImsgFormatException($"key operation {op}");
        }

        return new(pki, op, reader.ReadI32(), reader.ReadBytes().ToArray());
    }

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteString(Pki);
        writer.WriteU8((byte)Operation);
        writer.WriteI32(Parameter);
        writer.WriteBytes(Input);
    }
}

/// <summary>The operation's output, or null when it failed (unknown pki, wrong input for the key).</summary>
internal readonly record struct CaKeyOperationReply(byte[]? Output) : IImsgPayload<CaKeyOperationReply>
{
    public static ImsgType Type => ImsgType.CaKeyOperationReply;

    public static CaKeyOperationReply Read(ref ImsgReader reader) =>
        new(reader.ReadBool() ? reader.ReadBytes().ToArray() : null);

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteBool(Output is not null);
        if (Output is not null)
        {
            writer.WriteBytes(Output);
        }
    }
}
