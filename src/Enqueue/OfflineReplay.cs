// The sendmail the daemon starts for an offline message (OfflineImport): started by root, it
// first becomes the file's owner (its only group the owner's primary group, as offline_enqueue()
// sets it), moves to the owner's home, then reads the original arguments from the first line of
// its input; the message follows. Started by anyone else, it stays who it is.
// Behaviour reference: usr.sbin/smtpd/smtpd.c offline_enqueue().
using System.Text;
using Smtpd.Interop;

namespace Smtpd.Enqueue;

internal static class OfflineReplay
{
    private const int MaxArgumentsLine = 64 * 1024;

    /// <summary>The arguments to run with ("-S" and the saved ones), or null after reporting why not.</summary>
    public static List<string>? Prepare(string program, string owner, IReadOnlyList<string> args)
    {
        if (Posix.GetUid() == 0 && uint.TryParse(owner, System.Globalization.CultureInfo.InvariantCulture, out uint uid) && uid != 0)
        {
            if (Posix.GetPwUid(uid) is not { } pw)
            {
                Console.Error.WriteLine($"{program}: getpwuid for uid {uid} failed");
                return null;
            }

            // The delivery helpers' drop: ids of -1 refused, every id read back, root unreachable.
            if (Mda.PrivilegeDrop.Become(pw.Uid, pw.Gid) is { } failure)
            {
                Console.Error.WriteLine($"{program}: could not become uid {uid}: {failure}");
                return null;
            }

            try
            {
                Directory.SetCurrentDirectory(pw.Directory);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Directory.SetCurrentDirectory("/");
            }
        }

        // Byte by byte, so that the message after the line stays unread for MessageInput.
        var input = Console.OpenStandardInput();
        var line = new List<byte>();
        while (true)
        {
            int b = input.ReadByte();
            if (b < 0 || line.Count > MaxArgumentsLine)
            {
                Console.Error.WriteLine($"{program}: offline message without its arguments line");
                return null;
            }

            if (b == '\n')
            {
                break;
            }

            line.Add((byte)b);
        }

        string saved = Encoding.UTF8.GetString(line.ToArray());
        return ["-S", .. args.Where(a => a != "-S"), .. saved.Length == 0 ? [] : saved.Split('|')];
    }
}
