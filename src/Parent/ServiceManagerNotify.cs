// Readiness and status for systemd's Type=notify (sd_notify(3) protocol: one datagram of
// NAME=value lines to the socket named by $NOTIFY_SOCKET). The parent takes the variable out of
// its environment at start, so no role, delivery helper or mda command inherits it: only the
// main process speaks for the service (the unit sets NotifyAccess=main as well).
using System.Net.Sockets;
using System.Text;

namespace Smtpd.Parent;

internal sealed class ServiceManagerNotify : IDisposable
{
    public const string SocketVariable = "NOTIFY_SOCKET";

    private readonly Socket? _socket;
    private readonly UnixDomainSocketEndPoint? _target;

    private ServiceManagerNotify(string? path)
    {
        if (string.IsNullOrEmpty(path) || (path[0] != '/' && path[0] != '@'))
        {
            // Unset, or a vsock address (AF_VSOCK is for VMs talking to their host): nothing to tell.
            return;
        }

        // "@name" is an abstract socket: the leading NUL in the address names it.
        _target = new UnixDomainSocketEndPoint(path[0] == '@' ? "\0" + path[1..] : path);
        _socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    }

    /// <summary>Reads and removes $NOTIFY_SOCKET; the result does nothing when it was not set.</summary>
    public static ServiceManagerNotify FromEnvironment()
    {
        string? path = Environment.GetEnvironmentVariable(SocketVariable);
        Environment.SetEnvironmentVariable(SocketVariable, null);
        return new ServiceManagerNotify(path);
    }

    public bool Enabled => _socket is not null;

    public void Ready(string status) => Send($"READY=1\nSTATUS={status}\nMAINPID={Environment.ProcessId}\n");

    public void Status(string status) => Send($"STATUS={status}\n");

    public void Stopping(string status) => Send($"STOPPING=1\nSTATUS={status}\n");

    private void Send(string state)
    {
        if (_socket is null)
        {
            return;
        }

        try
        {
            _socket.SendTo(Encoding.UTF8.GetBytes(state), _target!);
        }
        catch (SocketException e)
        {
            // The service manager went away or refuses us; the daemon serves mail all the same.
            Runtime.Log.Warn($"warn: {SocketVariable}: {e.Message}");
        }
    }

    public void Dispose() => _socket?.Dispose();
}
