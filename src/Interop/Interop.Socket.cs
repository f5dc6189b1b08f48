// CMSG_LEN, which Tmds.LibC gets wrong: it rounds the payload up to a multiple of
// sizeof(size_t), so one passed descriptor (4 bytes) would claim 24 bytes instead of glibc's
// 20, and the kernel would read a second descriptor from the padding. The structs (msghdr,
// cmsghdr, iovec), the calls and CMSG_ALIGN/CMSG_SPACE are Tmds.LibC's; SocketLayoutTests
// checks them against the C headers.
using Tmds.Linux;

namespace Smtpd.Interop;

internal static partial class Libc
{
    /// <summary>glibc's CMSG_LEN: the aligned header, then the payload unpadded.</summary>
    internal static unsafe int CmsgLen(int dataLen) => LibC.CMSG_ALIGN(sizeof(cmsghdr)) + dataLen;
}
