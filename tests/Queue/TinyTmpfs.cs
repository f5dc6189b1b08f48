// A tiny tmpfs mounted for one test (root only), so ENOSPC is the kernel's and not a test double's.
using System.Diagnostics;

namespace Smtpd.Tests.Queue;

internal sealed class TinyTmpfs : IDisposable
{
    public TinyTmpfs(string options)
    {
        Root = Path.Combine(Path.GetTempPath(), "smtpd-tmpfs-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Root);
        Run("mount", "-t", "tmpfs", "-o", options, "tmpfs", Root);
    }

    public string Root { get; }

    public void Dispose()
    {
        // Lazy, so a descriptor a failed test left open cannot keep the mount around.
        Run("umount", "-l", Root);
        Directory.Delete(Root);
    }

    private static void Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        using var p = Process.Start(psi)!;
        string err = p.StandardError.ReadToEnd();
        p.WaitForExit();
        Assert.True(p.ExitCode == 0, file + " failed: " + err);
    }
}
