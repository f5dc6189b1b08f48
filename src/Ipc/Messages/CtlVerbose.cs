// `smtpctl log verbose|brief`: the new verbosity, fanned out to every role.
namespace Smtpd.Ipc.Messages;

internal readonly record struct CtlVerbose(int Level) : IImsgPayload<CtlVerbose>
{
    public static ImsgType Type => ImsgType.CtlVerbose;

    public static CtlVerbose Read(ref ImsgReader reader) => new(reader.ReadI32());

    public void Write(ref ImsgWriter writer) => writer.WriteI32(Level);
}
