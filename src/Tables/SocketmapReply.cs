// A socketmap server's answer: "OK <value>", "NOTFOUND ", or "TEMP", "TIMEOUT", "PERM" followed
// by a reason. Status words are matched without regard to case, as table-socketmap does. For a
// mail server only "OK" and "NOTFOUND" are answers: every other reply, and anything it cannot
// read, means the lookup could not be made, so the mail waits (a temporary failure) instead of
// being refused or misrouted.
// Behaviour reference: OpenSMTPD-extras extras/tables/table-socketmap/table_socketmap.c
// table_socketmap_query(); Postfix socketmap_table(5).
namespace Smtpd.Tables;

internal enum SocketmapStatus
{
    Ok,
    NotFound,
    Temp,
    Timeout,
    Perm,
    Unrecognized,
}

internal static class SocketmapReply
{
    public static (SocketmapStatus Status, string Text) Parse(string reply)
    {
        foreach (var (word, status) in Words)
        {
            if (reply.Length >= word.Length && reply.StartsWith(word, StringComparison.OrdinalIgnoreCase)
                && (reply.Length == word.Length || reply[word.Length] == ' '))
            {
                return (status, reply.Length == word.Length ? string.Empty : reply[(word.Length + 1)..]);
            }
        }

        return (SocketmapStatus.Unrecognized, "unrecognized socketmap reply");
    }

    private static readonly (string Word, SocketmapStatus Status)[] Words =
    [
        ("OK", SocketmapStatus.Ok),
        ("NOTFOUND", SocketmapStatus.NotFound),
        ("TEMP", SocketmapStatus.Temp),
        ("TIMEOUT", SocketmapStatus.Timeout),
        ("PERM", SocketmapStatus.Perm),
    ];
}
