using System.Text;
using Smtpd.Mda;

namespace Smtpd.Tests.Mda;

public class PrefixedStreamTests
{
    [Fact]
    public void ThePrefixAndTheFirstBytesOfTheRestShareOneRead()
    {
        using var s = new PrefixedStream("AB"u8.ToArray(), new MemoryStream("cdef"u8.ToArray()));
        var buffer = new byte[4];
        Assert.Equal(4, s.Read(buffer));
        Assert.Equal("ABcd", Encoding.ASCII.GetString(buffer));
        Assert.Equal(2, s.Read(buffer));
        Assert.Equal("ef", Encoding.ASCII.GetString(buffer, 0, 2));
        Assert.Equal(0, s.Read(buffer));
    }

    [Fact]
    public async Task SmallReadsAndAsyncReadsSeeTheSameBytes()
    {
        using var s = new PrefixedStream("Return-Path: <a@b>\n"u8.ToArray(), new MemoryStream("Subject: x\n\nbody\n"u8.ToArray()));
        var all = new MemoryStream();
        var buffer = new byte[3];
        int n;
        while ((n = await s.ReadAsync(buffer)) > 0)
        {
            all.Write(buffer, 0, n);
        }

        Assert.Equal("Return-Path: <a@b>\nSubject: x\n\nbody\n", Encoding.ASCII.GetString(all.ToArray()));
    }
}
