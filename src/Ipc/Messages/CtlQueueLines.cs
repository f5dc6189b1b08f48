// Lines of a queue listing (smtpctl show queue), as smtpctl prints them; Last marks the end.
namespace Smtpd.Ipc.Messages;

internal readonly record struct CtlQueueLines(bool Last, string Text) : IImsgPayload<CtlQueueLines>
{
    public static ImsgType Type => ImsgType.CtlQueueLines;

    public static CtlQueueLines Read(ref ImsgReader reader) => new(reader.ReadBool(), reader.ReadRequiredString());

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteBool(Last);
        writer.WriteString(Text);
    }
}
