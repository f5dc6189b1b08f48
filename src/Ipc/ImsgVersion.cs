// The IPC protocol version: the control socket refuses clients built for another one.
namespace Smtpd.Ipc;

internal static class ImsgVersion
{
    public const uint Current = 4;
}
