// `smtpctl show status`: which subsystems run, and the daemon's pid and uptime.
namespace Smtpd.Ipc.Messages;

internal readonly record struct CtlStatus(bool SmtpPaused, bool MtaPaused, bool MdaPaused, long StartedUnix, int ParentPid) : IImsgPayload<CtlStatus>
{
    public static ImsgType Type => ImsgType.CtlShowStatus;

    public static CtlStatus Read(ref ImsgReader reader) =>
        new(reader.ReadBool(), reader.ReadBool(), reader.ReadBool(), reader.ReadI64(), reader.ReadI32());

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteBool(SmtpPaused);
        writer.WriteBool(MtaPaused);
        writer.WriteBool(MdaPaused);
        writer.WriteI64(StartedUnix);
        writer.WriteI32(ParentPid);
    }
}
