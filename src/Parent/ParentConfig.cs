// Reads the configuration for the parent. The full smtpd.conf grammar lands with the config
// issue; until then the file must exist (when named) and is passed to roles as raw text.
using System.Text;
using Smtpd.Runtime;

namespace Smtpd.Parent;

internal static class ParentConfig
{
    public static byte[]? Load(SmtpdOptions options)
    {
        try
        {
            return File.ReadAllBytes(options.ConfigFile);
        }
        catch (FileNotFoundException) when (!options.ConfigFileGiven)
        {
            return Encoding.UTF8.GetBytes(DefaultConfig.Text);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"smtpd: {options.ConfigFile}: {e.Message}");
            return null;
        }
    }
}
