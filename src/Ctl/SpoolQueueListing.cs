// `smtpctl show queue` (and mailq) with the daemon down: the envelopes read straight from the
// spool (queue/<bucket>/<msgid>/<evpid>), each with the run state "offline|". OpenSMTPD does the
// same; like it, compressed or encrypted envelopes are not read here. Nothing in the spool is
// changed: an unreadable envelope is reported and skipped.
// Behaviour reference: usr.sbin/smtpd/smtpctl.c do_show_queue(), show_offline_envelope().
using Smtpd.Queue;

namespace Smtpd.Ctl;

internal static class SpoolQueueListing
{
    /// <summary>$SMTPD_QUEUE_DIR for a private instance, else the system spool.</summary>
    public static string QueueDir =>
        Environment.GetEnvironmentVariable("SMTPD_QUEUE_DIR") is { Length: > 0 } q ? q : Runtime.SmtpdOptions.DefaultQueueDir;

    public static int Print(string queueDir, TextWriter output, TextWriter errors)
    {
        string queue = Path.Combine(queueDir, "queue");
        try
        {
            foreach (string path in Envelopes(queue))
            {
                PrintOne(path, output, errors);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.WriteLine($"{SmtpCtl.Name}: {queue}: {e.Message}");
            return 1;
        }

        return 0;
    }

    private static IEnumerable<string> Envelopes(string queue)
    {
        foreach (string bucket in Directory.GetDirectories(queue).Order(StringComparer.Ordinal))
        {
            if (!QueueHex.IsLowerHex(Path.GetFileName(bucket), 2))
            {
                continue;
            }

            foreach (string message in Directory.GetDirectories(bucket).Order(StringComparer.Ordinal))
            {
                if (!QueueHex.IsLowerHex(Path.GetFileName(message), 8))
                {
                    continue;
                }

                foreach (string file in Directory.GetFiles(message).Order(StringComparer.Ordinal))
                {
                    if (QueueHex.IsLowerHex(Path.GetFileName(file), 16))
                    {
                        yield return file;
                    }
                }
            }
        }
    }

    private static void PrintOne(string path, TextWriter output, TextWriter errors)
    {
        byte[] data;
        try
        {
            data = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            errors.WriteLine($"{SmtpCtl.Name}: {path}: {e.Message}");
            return;
        }

        if (data.Length >= 2 && data[0] == 0x1f && data[1] == 0x8b)
        {
            errors.WriteLine(SmtpCtl.Name + ": offline compressed queue is not supported yet");
            return;
        }

        if (!EnvelopeFormat.TryLoad(data, out var envelope, out _) || envelope is null)
        {
            errors.WriteLine($"{SmtpCtl.Name}: {path}: unreadable envelope (an encrypted queue is not supported offline)");
            return;
        }

        envelope.Id = new EvpId(Convert.ToUInt64(Path.GetFileName(path), 16));
        output.WriteLine(QueueEnvelopeLine.Format(envelope, "offline|"));
    }
}
