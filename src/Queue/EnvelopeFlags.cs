// The envelope flags that are stored on disk. The scheduler's run-state bits (pending, inflight,
// suspend, hold) live in memory only and never reach the file. Behaviour reference: smtpd-api.h.
namespace Smtpd.Queue;

[Flags]
internal enum EnvelopeFlags
{
    None = 0,
    Authenticated = 0x01,
    Bounce = 0x02,

    /// <summary>Produced by an internal expansion (a forward), not by the client.</summary>
    Internal = 0x04,
}
