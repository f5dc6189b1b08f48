// The envelope's mda-exec text for deliveries an alias or .forward asked for: a command line as
// written, or a file to append to, which OpenSMTPD hands to its mail.mboxfile helper; we keep
// that spelling so the envelope reads the same, and the parent delivers the file itself.
// Behaviour reference: usr.sbin/smtpd/lka_session.c lka_submit().
namespace Smtpd.Ipc.Messages;

internal static class MdaExecText
{
    private const string MboxFile = "mail.mboxfile -f %{mbox.from} ";

    public static string ForFile(string path) => MboxFile + path;

    /// <summary>The file of a file delivery; false for a command.</summary>
    public static bool TryGetFile(string exec, out string path)
    {
        path = exec.StartsWith(MboxFile, StringComparison.Ordinal) ? exec[MboxFile.Length..] : string.Empty;
        return path.Length > 0;
    }
}
