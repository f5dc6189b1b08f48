// What /proc says about a process: title, parent, credentials, root directory.
namespace Smtpd.Tests.TestSupport;

internal sealed record ProcInfo(int Pid, int PPid, string CmdLine, string Comm, uint[] Uids, uint[] Gids, bool NoNewPrivs, string Root)
{
    public static bool Exists(int pid) => Directory.Exists($"/proc/{pid}") && !IsZombie(pid);

    public static ProcInfo? Read(int pid)
    {
        try
        {
            string status = File.ReadAllText($"/proc/{pid}/status");
            string cmdline = File.ReadAllText($"/proc/{pid}/cmdline").Replace('\0', ' ').Trim();
            string root = new DirectoryInfo($"/proc/{pid}/root").LinkTarget ?? "?";
            string Field(string name) => status.Split('\n').First(l => l.StartsWith(name + ":", StringComparison.Ordinal))[(name.Length + 1)..].Trim();
            uint[] Ids(string name) => Field(name).Split('\t', ' ', StringSplitOptions.RemoveEmptyEntries).Select(uint.Parse).ToArray();
            return new ProcInfo(pid, int.Parse(Field("PPid")), cmdline, Field("Name"), Ids("Uid"), Ids("Gid"), Field("NoNewPrivs") == "1", root);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Live children of <paramref name="parent"/>.</summary>
    public static List<ProcInfo> ChildrenOf(int parent)
    {
        var list = new List<ProcInfo>();
        foreach (string dir in Directory.GetDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(dir), out int pid) && Read(pid) is { } info && info.PPid == parent && !IsZombie(pid))
            {
                list.Add(info);
            }
        }

        return list;
    }

    private static bool IsZombie(int pid)
    {
        try
        {
            string stat = File.ReadAllText($"/proc/{pid}/stat");
            return stat[(stat.LastIndexOf(')') + 2)..].StartsWith('Z');
        }
        catch (IOException)
        {
            return true;
        }
    }
}
