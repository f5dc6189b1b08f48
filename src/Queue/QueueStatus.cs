// How a queue operation ended. Only Ok means the spool changed as asked; TempFail leaves
// nothing half-done that the caller could mistake for success.
namespace Smtpd.Queue;

internal enum QueueStatus
{
    Ok = 0,

    /// <summary>The environment failed (ENOSPC, EIO, EACCES...): try again later, answer 4xx.</summary>
    TempFail = 1,

    /// <summary>The message or envelope does not exist.</summary>
    NotFound = 2,

    /// <summary>Stored data could not be read back (bad format, bad tag, bad gzip); the file was moved to corrupt/.</summary>
    Corrupt = 3,

    /// <summary>The data cannot be stored faithfully (e.g. a newline in a value); retrying will not help.</summary>
    Refused = 4,
}
