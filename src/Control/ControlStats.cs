// The counters control keeps for `smtpctl show stats` (stat_ramstat.c: a key appears once it was
// first moved, keys sorted as strcmp sorts them) and the running totals `monitor` differences
// (control.c control_digest_update).
using Smtpd.Ipc.Messages;

namespace Smtpd.Control;

internal sealed class ControlStats
{
    private readonly SortedDictionary<string, long> _counters = new(StringComparer.Ordinal);

    private long _cltConnect;
    private long _cltDisconnect;
    private long _evpEnqueued;
    private long _evpDequeued;
    private long _evpExpired;
    private long _evpRemoved;
    private long _evpBounce;
    private long _dlvOk;
    private long _dlvTempFail;
    private long _dlvPermFail;
    private long _dlvLoop;

    public void Update(string key, long delta)
    {
        _counters[key] = _counters.GetValueOrDefault(key) + delta;
        switch (key)
        {
            case "smtp.session" when delta > 0:
                _cltConnect += delta;
                break;
            case "smtp.session":
                _cltDisconnect -= delta;
                break;
            case "scheduler.envelope" when delta > 0:
                _evpEnqueued += delta;
                break;
            case "scheduler.envelope":
                _evpDequeued -= delta;
                break;
            case "scheduler.envelope.expired":
                _evpExpired += delta;
                break;
            case "scheduler.envelope.removed":
                _evpRemoved += delta;
                break;
            case "scheduler.delivery.ok":
                _dlvOk += delta;
                break;
            case "scheduler.delivery.permfail":
                _dlvPermFail += delta;
                break;
            case "scheduler.delivery.tempfail":
                _dlvTempFail += delta;
                break;
            case "scheduler.delivery.loop":
                _dlvLoop += delta;
                break;
            case "queue.bounce":
                _evpBounce += delta;
                break;
        }
    }

    public IReadOnlyList<KeyValuePair<string, long>> Counters => [.. _counters];

    public CtlDigest Digest => new(_cltConnect, _cltDisconnect, _evpEnqueued, _evpDequeued, _evpExpired, _evpRemoved, _evpBounce, _dlvOk, _dlvTempFail, _dlvPermFail, _dlvLoop);
}
