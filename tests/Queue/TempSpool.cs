// A throw-away spool directory for one test, removed afterwards.
using Smtpd.Queue;

namespace Smtpd.Tests.Queue;

internal sealed class TempSpool : IDisposable
{
    public TempSpool()
    {
        Root = Path.Combine(Path.GetTempPath(), "smtpd-queue-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
    }

    public string Root { get; }

    public QueuePaths Paths => new(Root);

    public FsQueueBackend Open(QueueOptions? options = null, IQueueFileSystem? fs = null)
    {
        var backend = new FsQueueBackend(Root, options, fs);
        Assert.Equal(QueueResult.Ok, backend.Init());
        return backend;
    }

    /// <summary>Every path below the root (relative, '/'-separated), sorted, directories with a trailing '/'.</summary>
    public List<string> Tree()
    {
        var all = new List<string>();
        foreach (string p in Directory.EnumerateFileSystemEntries(Root, "*", SearchOption.AllDirectories))
        {
            string rel = Path.GetRelativePath(Root, p);
            all.Add(Directory.Exists(p) ? rel + "/" : rel);
        }

        all.Sort(StringComparer.Ordinal);
        return all;
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
        }
        catch (UnauthorizedAccessException)
        {
        }
    }
}
