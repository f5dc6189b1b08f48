// What the process's poller hands epoll events to: an IPC channel, or (in the dispatcher) a
// client connection the event loop drives.
namespace Smtpd.Ipc;

internal interface IPollTarget
{
    /// <summary>Called with the epoll events for the target's descriptor, on the thread that runs the poller.</summary>
    void OnReady(uint events);
}
