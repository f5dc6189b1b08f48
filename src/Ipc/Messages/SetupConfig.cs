// The parsed configuration, serialized once by the parent: roles never re-read smtpd.conf,
// which they could not open after chroot anyway.
namespace Smtpd.Ipc.Messages;

internal readonly record struct SetupConfig(byte[] Blob) : IImsgPayload<SetupConfig>
{
    public static ImsgType Type => ImsgType.SetupConfig;

    public static SetupConfig Read(ref ImsgReader reader) => new(reader.ReadBytes().ToArray());

    public void Write(ref ImsgWriter writer) => writer.WriteBytes(Blob);
}
