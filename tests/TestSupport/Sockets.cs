// Who holds a listening TCP socket: /proc/net/tcp{,6} give the inode, /proc/PID/fd the owner.
namespace Smtpd.Tests.TestSupport;

internal static class Sockets
{
    /// <summary>Pids with a descriptor on a socket listening on <paramref name="port"/>.</summary>
    public static List<int> ListeningPids(int port)
    {
        var inodes = new HashSet<string>();
        foreach (string table in new[] { "/proc/net/tcp", "/proc/net/tcp6" })
        {
            if (!File.Exists(table))
            {
                continue;
            }

            foreach (string line in File.ReadLines(table).Skip(1))
            {
                string[] f = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                string local = f[1];
                int p = Convert.ToInt32(local[(local.IndexOf(':', StringComparison.Ordinal) + 1)..], 16);
                if (p == port && f[3] == "0A")
                {
                    inodes.Add(f[9]);
                }
            }
        }

        var pids = new List<int>();
        foreach (string dir in Directory.GetDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(dir), out int pid))
            {
                continue;
            }

            try
            {
                foreach (string fd in Directory.GetFiles(Path.Combine(dir, "fd")))
                {
                    string? target = new FileInfo(fd).LinkTarget;
                    if (target is not null && target.StartsWith("socket:[", StringComparison.Ordinal) && inodes.Contains(target[8..^1]))
                    {
                        pids.Add(pid);
                        break;
                    }
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }

        return pids;
    }
}
