// The crypto (ca) role's one message switch.
using Smtpd.Ipc;
using Smtpd.Runtime;

namespace Smtpd.Ca;

internal sealed partial class CaProcess
{
    public override ValueTask DispatchAsync(ProcRole from, Imsg msg)
    {
        if (from == ProcRole.Dispatcher && msg.Type == ImsgType.CaKeyChannel)
        {
            msg.ExpectEmpty();
            var fd = msg.TakeFd() ?? throw new ImsgFormatException("key channel without a socket");
            var channel = new ImsgChannel(fd, "dispatcher keys");
            channel.Start();
            _ = ServeKeysAsync(channel);
            return ValueTask.CompletedTask;
        }

        if (from == ProcRole.Parent && msg.Type == ImsgType.TlsReloadKeys)
        {
            var reload = msg.Read<Ipc.Messages.TlsReloadKeys>();
            string? error = _keys.Reload(reload.Generation, reload.Entries);
            Peers[from].Post(new Ipc.Messages.TlsReloadKeysDone(reload.Generation, error));
            return ValueTask.CompletedTask;
        }

        if (!DispatchCommon(Peers[from], msg))
        {
            Unexpected(from, msg);
        }

        return ValueTask.CompletedTask;
    }

    private async Task ServeKeysAsync(ImsgChannel channel)
    {
        try
        {
            await _keys.ServeAsync(channel);
        }
        catch (Exception e)
        {
            Log.FatalX($"ca: key socket: {e.GetType().Name}: {e.Message}");
        }
    }
}
