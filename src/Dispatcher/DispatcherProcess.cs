// The dispatcher role: the network-facing process: smtp-in sessions on the sockets the parent
// bound, mta sessions, mda orchestration. Chrooted to the empty directory.
// Behaviour reference: usr.sbin/smtpd/dispatcher.c, smtp.c.
using System.Net.Sockets;
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;

namespace Smtpd.Dispatcher;

internal sealed partial class DispatcherProcess : RoleProcess
{
    private readonly List<(SetupListener Info, Socket Socket)> _listeners = [];

    public override ProcRole Role => ProcRole.Dispatcher;

    public override bool NeedsCrypto => true;

    /// <summary>The listening sockets received during setup, in the order the parent bound them.</summary>
    public IReadOnlyList<(SetupListener Info, Socket Socket)> Listeners => _listeners;

    public override bool OnSetupMessage(Imsg msg)
    {
        if (msg.Type != ImsgType.SetupListener)
        {
            return false;
        }

        var info = msg.Read<SetupListener>();
        var fd = msg.TakeFd() ?? throw new ImsgFormatException("listener without a socket");
        _listeners.Add((info, new Socket(new SafeSocketHandle(fd.Release(), ownsHandle: true))));
        Log.Debug($"debug: dispatcher: listening on {info.Address}");
        return true;
    }
}
