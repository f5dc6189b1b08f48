// What the parent tells every role before it drops privileges: where things are, who to become,
// how to log. Sent once, first, on the parent socket.
namespace Smtpd.Ipc.Messages;

internal readonly record struct SetupSettings(
    bool Privileged,
    bool Foreground,
    int Verbose,
    uint Trace,
    string Hostname,
    string QueueDir,
    string EmptyDir,
    string ControlSocket,
    string SmtpdUser,
    string QueueUser) : IImsgPayload<SetupSettings>
{
    public static ImsgType Type => ImsgType.SetupSettings;

    public static SetupSettings Read(ref ImsgReader reader) => new(
        reader.ReadBool(),
        reader.ReadBool(),
        reader.ReadI32(),
        reader.ReadU32(),
        reader.ReadRequiredString(),
        reader.ReadRequiredString(),
        reader.ReadRequiredString(),
        reader.ReadRequiredString(),
        reader.ReadRequiredString(),
        reader.ReadRequiredString());

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteBool(Privileged);
        writer.WriteBool(Foreground);
        writer.WriteI32(Verbose);
        writer.WriteU32(Trace);
        writer.WriteString(Hostname);
        writer.WriteString(QueueDir);
        writer.WriteString(EmptyDir);
        writer.WriteString(ControlSocket);
        writer.WriteString(SmtpdUser);
        writer.WriteString(QueueUser);
    }
}
