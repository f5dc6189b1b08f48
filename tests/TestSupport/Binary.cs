// Locates the AOT binary under test (SMTPD_BIN, set by `make test`) and runs short commands.
using System.Diagnostics;

namespace Smtpd.Tests.TestSupport;

internal static class Binary
{
    public static string? Path => Environment.GetEnvironmentVariable("SMTPD_BIN") is { Length: > 0 } p && File.Exists(p) ? p : null;

    public static string Require() =>
        Path ?? throw new InvalidOperationException("SMTPD_BIN is not set to the AOT binary; run `make test`");

    public static bool IsRoot => Smtpd.Interop.Posix.GetEUid() == 0;

    /// <summary>Runs a program to completion; returns exit code, stdout, stderr.</summary>
    public static (int Code, string Out, string Err) Run(string file, IEnumerable<string> args, IDictionary<string, string>? env = null, TimeSpan? timeout = null, string? stdin = null)
    {
        var psi = new ProcessStartInfo(file)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
        };
        foreach (string a in args)
        {
            psi.ArgumentList.Add(a);
        }

        if (env is not null)
        {
            foreach (var (k, v) in env)
            {
                psi.Environment[k] = v;
            }
        }

        using var p = Process.Start(psi)!;
        if (stdin is not null)
        {
            // Bytes as given (Latin-1), whatever the test host's encoding.
            p.StandardInput.BaseStream.Write(System.Text.Encoding.Latin1.GetBytes(stdin));
        }

        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(timeout ?? TimeSpan.FromSeconds(60)))
        {
            p.Kill(true);
            throw new TimeoutException($"{file} {string.Join(' ', args)} did not finish");
        }

        return (p.ExitCode, stdout.Result, stderr.Result);
    }

    /// <summary>A symlink to the binary under another name, as packaging installs smtpctl, sendmail...</summary>
    public static string LinkAs(string dir, string name)
    {
        string link = System.IO.Path.Combine(dir, name);
        if (!File.Exists(link))
        {
            File.CreateSymbolicLink(link, Require());
        }

        return link;
    }

    /// <summary>
    /// Someone local mail can be delivered to by any method (root may not run an mda command):
    /// as root the test user <paramref name="testUser"/>, made if missing with the daemon's users; else the caller.
    /// </summary>
    public static string MailRecipient(string testUser = "smtpdtest")
    {
        if (!IsRoot)
        {
            return Smtpd.Interop.Posix.GetPwUid(Smtpd.Interop.Posix.GetEUid())!.Name;
        }

        EnsureSystemUsers();
        EnsureUser(testUser);
        return testUser;
    }

    /// <summary>Creates the privilege-separation users a root daemon needs, as `make install` would.</summary>
    public static void EnsureSystemUsers()
    {
        foreach (string user in new[] { "_smtpd", "_smtpq" })
        {
            if (Smtpd.Interop.Posix.GetPwNam(user) is null)
            {
                var r = Run("useradd", ["--system", "--home-dir", "/var/empty", "--no-create-home", "--shell", "/usr/sbin/nologin", user]);
                if (r.Code != 0 && Smtpd.Interop.Posix.GetPwNam(user) is null)
                {
                    throw new InvalidOperationException("useradd " + user + ": " + r.Err);
                }
            }
        }
    }

    /// <summary>Creates an ordinary login user with a home directory (a mail recipient), unless it exists.</summary>
    public static void EnsureUser(string name)
    {
        if (Smtpd.Interop.Posix.GetPwNam(name) is null)
        {
            Run("useradd", ["--create-home", "--shell", "/bin/sh", name]);
        }
    }
}
