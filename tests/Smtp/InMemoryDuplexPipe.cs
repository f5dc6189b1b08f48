// One end of an in-memory connection: what the session reads and writes, or what the test
// client reads and writes. Pipes pause writers at 64 KB unread, like a socket buffer would.
using System.IO.Pipelines;

namespace Smtpd.Tests.Smtp;

internal sealed class InMemoryDuplexPipe : IDuplexPipe
{
    private InMemoryDuplexPipe(PipeReader input, PipeWriter output)
    {
        Input = input;
        Output = output;
    }

    public PipeReader Input { get; }

    public PipeWriter Output { get; }

    /// <summary>A connected pair: bytes written to one end's Output are read from the other's Input.</summary>
    public static (InMemoryDuplexPipe Server, InMemoryDuplexPipe Client) CreatePair()
    {
        var options = new PipeOptions(pauseWriterThreshold: 64 * 1024, resumeWriterThreshold: 32 * 1024, useSynchronizationContext: false);
        var toServer = new Pipe(options);
        var toClient = new Pipe(options);
        return (new InMemoryDuplexPipe(toServer.Reader, toClient.Writer), new InMemoryDuplexPipe(toClient.Reader, toServer.Writer));
    }
}
