// A MemoryStream that remembers the session disposed it; ToArray still works afterwards.
namespace Smtpd.Tests.Smtp;

internal sealed class KeepingMemoryStream : MemoryStream
{
    public bool WasDisposed { get; private set; }

    protected override void Dispose(bool disposing)
    {
        WasDisposed = true;
        base.Dispose(disposing);
    }
}
