// A message source that hands out part of a message, then fails like a dying disk.
using System.Text;

namespace Smtpd.Tests.Mda;

internal sealed class FailingStream : Stream
{
    private int _reads;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

    public override void Flush()
    {
    }

    public override int Read(byte[] buffer, int offset, int count)
    {
        if (_reads++ > 0)
        {
            throw new IOException("disk on fire");
        }

        byte[] part = Encoding.ASCII.GetBytes("Subject: partial\n\nhalf a mess");
        part.CopyTo(buffer, offset);
        return part.Length;
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
