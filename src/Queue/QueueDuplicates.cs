// Duplicate recipients of one transaction: an envelope that would deliver the same message the
// same way to the same place as one already submitted adds nothing but a second copy (and, if it
// fails, a second report). Compared: everything that decides the delivery and its report.
namespace Smtpd.Queue;

internal static class QueueDuplicates
{
    /// <summary>The envelope among <paramref name="submitted"/> that <paramref name="e"/> duplicates, or null.</summary>
    public static Envelope? Find(List<Envelope>? submitted, Envelope e) =>
        submitted?.Find(o => o.Type == e.Type && o.Dispatcher == e.Dispatcher && o.Rcpt.Equals(e.Rcpt) && o.Dest.Equals(e.Dest)
            && o.MdaUser == e.MdaUser && o.MdaSubaddress == e.MdaSubaddress && o.MdaExec == e.MdaExec
            && o.DsnNotify == e.DsnNotify && o.DsnOrcpt == e.DsnOrcpt && o.Sender.Equals(e.Sender));
}
