// A control command's answer: ok or failed, with the text smtpctl prints.
namespace Smtpd.Ipc.Messages;

internal readonly record struct CtlResult(bool Ok, string Text) : IImsgPayload<CtlResult>
{
    public static ImsgType Type => ImsgType.CtlOk;

    public static CtlResult Read(ref ImsgReader reader) => new(reader.ReadBool(), reader.ReadRequiredString());

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteBool(Ok);
        writer.WriteString(Text);
    }
}
