// A message the daemon refused is kept in ~/dead.letter, so the user loses nothing.
// Behaviour reference: usr.sbin/smtpd/enqueue.c savedeadletter().
using System.Text;
using Smtpd.Interop;

namespace Smtpd.Enqueue;

internal static class DeadLetter
{
    public static void Save(PasswdEntry pw, IEnumerable<string> lines)
    {
        try
        {
            var text = new StringBuilder();
            foreach (string line in lines)
            {
                text.Append(line).Append('\n');
            }

            text.Append('\n');
            File.WriteAllBytes(Path.Combine(pw.Directory, "dead.letter"), Encoding.Latin1.GetBytes(text.ToString()));
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // As enqueue.c: the refusal was reported; a home we cannot write to changes nothing.
        }
    }
}
