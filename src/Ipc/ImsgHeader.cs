// The 16-byte frame header: {type, len, peerid, pid}, host byte order (both ends are the same
// machine). len counts the header too; its top bit says a descriptor rides with this frame.
using System.Buffers.Binary;

namespace Smtpd.Ipc;

internal readonly record struct ImsgHeader(ImsgType Type, int Length, bool HasFd, uint PeerId, uint Pid)
{
    public const int Size = 16;

    /// <summary>Largest frame accepted; the config blob is the biggest message we send.</summary>
    public const int MaxFrame = 16 * 1024 * 1024;

    private const uint HasFdFlag = 0x8000_0000;

    public void Write(Span<byte> dest)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(dest, (uint)Type);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[4..], (uint)Length | (HasFd ? HasFdFlag : 0));
        BinaryPrimitives.WriteUInt32LittleEndian(dest[8..], PeerId);
        BinaryPrimitives.WriteUInt32LittleEndian(dest[12..], Pid);
    }

    public static ImsgHeader Read(ReadOnlySpan<byte> src)
    {
        uint len = BinaryPrimitives.ReadUInt32LittleEndian(src[4..]);
        return new ImsgHeader(
            (ImsgType)BinaryPrimitives.ReadUInt32LittleEndian(src),
            (int)(len & ~HasFdFlag),
            (len & HasFdFlag) != 0,
            BinaryPrimitives.ReadUInt32LittleEndian(src[8..]),
            BinaryPrimitives.ReadUInt32LittleEndian(src[12..]));
    }
}
