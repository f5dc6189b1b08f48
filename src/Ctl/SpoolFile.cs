// show envelope and show message: the file in the spool, copied to standard output as it is
// (gunzipped when the queue compresses), read by smtpctl itself as OpenSMTPD's display() does.
// Behaviour reference: usr.sbin/smtpd/smtpctl.c do_show_envelope(), do_show_message(), display().
using System.Globalization;
using System.IO.Compression;

namespace Smtpd.Ctl;

internal static class SpoolFile
{
    public static string EnvelopePath(ulong evpid)
    {
        uint msgid = (uint)(evpid >> 32);
        return Path.Combine(SpoolQueueListing.QueueDir, "queue", Hex(msgid >> 24, 2), Hex(msgid, 8), Hex(evpid, 16));
    }

    public static string MessagePath(uint msgid) =>
        Path.Combine(SpoolQueueListing.QueueDir, "queue", Hex(msgid >> 24, 2), Hex(msgid, 8), "message");

    public static int Display(string path)
    {
        FileStream file;
        try
        {
            file = new FileStream(path, FileMode.Open, FileAccess.Read);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return SmtpCtl.Fail("fopen: " + (e is FileNotFoundException or DirectoryNotFoundException ? "No such file or directory" : e.Message));
        }

        using (file)
        {
            int first = file.ReadByte();
            file.Position = 0;
            if (first == 0x01)
            {
                return SmtpCtl.Fail("the queue is encrypted: showing its files needs the queue key, which smtpctl does not ask for");
            }

            using var stdout = Console.OpenStandardOutput();
            if (first == 0x1f && file.ReadByte() == 0x8b)
            {
                file.Position = 0;
                using var gz = new GZipStream(file, CompressionMode.Decompress);
                gz.CopyTo(stdout);
            }
            else
            {
                file.Position = 0;
                file.CopyTo(stdout);
            }
        }

        return 0;
    }

    private static string Hex(ulong v, int digits) => v.ToString("x" + digits.ToString(CultureInfo.InvariantCulture), CultureInfo.InvariantCulture);
}
