// The channel's registration with the process's poller (epoll): what it asks for (readable while
// the inbound queue has room, writable while frames wait), and its removal when it closes.
using Smtpd.Interop;

namespace Smtpd.Ipc;

internal sealed partial class ImsgChannel
{
    // Under _outLock (lock order: _outLock, then _pollLock).
    private void SetWantWrite(bool on) => SetInterest(ref _wantWrite, on);

    private void SetWantRead(bool on) => SetInterest(ref _wantRead, on);

    /// <summary>Sets one of the two interests (readable, writable) and tells epoll when it changed.</summary>
    private void SetInterest(ref bool interest, bool on)
    {
        lock (_pollLock)
        {
            if (interest == on)
            {
                return;
            }

            interest = on;
            UpdateRegistration();
        }
    }

    // Under _pollLock: tell epoll what we want now; nothing at all takes the socket out of the set.
    private void UpdateRegistration()
    {
        if (_poller is null || _unregistered)
        {
            return;
        }

        uint mask = Mask();
        if (mask == 0)
        {
            if (_inEpoll)
            {
                _poller.Unwatch(_socket);
                _inEpoll = false;
            }

            return;
        }

        _poller.Watch(_tag, _socket, mask, add: !_inEpoll);
        _inEpoll = true;
    }

    private uint Mask() => (_wantRead ? Libc.EPOLLIN : 0) | (_wantWrite ? Libc.EPOLLOUT : 0);

    private void Unregister()
    {
        lock (_pollLock)
        {
            if (_poller is not null && !_unregistered)
            {
                if (_inEpoll)
                {
                    _poller.Unwatch(_socket);
                }

                _poller.Forget(_tag);
            }

            _inEpoll = false;
            _unregistered = true;
        }
    }
}
