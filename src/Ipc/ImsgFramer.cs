// Finds frame boundaries in a byte stream. Pure: the channel's reader thread feeds it whatever
// recvmsg returned, so a frame split across reads or many frames in one read both work.
namespace Smtpd.Ipc;

internal enum FrameStatus
{
    Incomplete,
    Complete,
    Malformed,
}

internal static class ImsgFramer
{
    /// <summary>Looks at the start of <paramref name="data"/> for one whole frame.</summary>
    public static FrameStatus TryRead(ReadOnlySpan<byte> data, out ImsgHeader header)
    {
        header = default;
        if (data.Length < ImsgHeader.Size)
        {
            return FrameStatus.Incomplete;
        }

        header = ImsgHeader.Read(data);
        if (header.Length < ImsgHeader.Size || header.Length > ImsgHeader.MaxFrame || header.Type == ImsgType.None)
        {
            return FrameStatus.Malformed;
        }

        return data.Length >= header.Length ? FrameStatus.Complete : FrameStatus.Incomplete;
    }
}
