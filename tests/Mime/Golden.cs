// Byte-exact expected outputs kept next to the tests (Postfix's .in/.ref habit).
using System.Runtime.CompilerServices;
using System.Text;

namespace Smtpd.Tests.Mime;

/// <summary>Golden files live next to this source file; SMTPD_UPDATE_GOLDEN=1 rewrites them.</summary>
internal static class Golden
{
    public static void Check(string relative, string actual, [CallerFilePath] string here = "")
    {
        string path = Path.Combine(Path.GetDirectoryName(here)!, "Golden", relative);
        if (Environment.GetEnvironmentVariable("SMTPD_UPDATE_GOLDEN") == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllBytes(path, Encoding.Latin1.GetBytes(actual));
        }

        Assert.True(File.Exists(path), "missing golden file " + path + " (run with SMTPD_UPDATE_GOLDEN=1)");
        Assert.Equal(Encoding.Latin1.GetString(File.ReadAllBytes(path)), actual);
    }
}
