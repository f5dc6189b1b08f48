// `smtpctl update table NAME`: from smtpctl to control, and forwarded to the lookup agent with
// the client's id as peer id, so the answer (a CtlResult) finds its way back.
// Behaviour reference: usr.sbin/smtpd/control.c, lka.c (IMSG_CTL_UPDATE_TABLE).
namespace Smtpd.Ipc.Messages;

internal readonly record struct CtlUpdateTable(string Name) : IImsgPayload<CtlUpdateTable>
{
    public static ImsgType Type => ImsgType.CtlUpdateTable;

    public static CtlUpdateTable Read(ref ImsgReader reader) => new(reader.ReadRequiredString());

    public void Write(ref ImsgWriter writer) => writer.WriteString(Name);
}
