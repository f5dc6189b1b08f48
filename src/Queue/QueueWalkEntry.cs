// One envelope found by a spool walk: loaded (Ok), moved to corrupt/ (Corrupt, with the
// reason), or unreadable for now (TempFail). Id is zero when a directory could not be listed.
namespace Smtpd.Queue;

internal readonly record struct QueueWalkEntry(EvpId Id, QueueStatus Status, Envelope? Envelope, string? Reason);
