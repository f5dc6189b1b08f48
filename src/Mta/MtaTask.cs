// One message for one route: the recipients of a message that share a relay action and a
// destination domain go in one transaction (one MAIL, many RCPT, one DATA), as OpenSMTPD's
// mta_task does.
// Behaviour reference: usr.sbin/smtpd/mta.c (struct mta_task, mta_handle_envelope).
using Smtpd.Ipc.Messages;

namespace Smtpd.Mta;

internal sealed class MtaTask
{
    public MtaTask(uint msgId, string sender, List<MtaDeliverRequest> envelopes)
    {
        MsgId = msgId;
        Sender = sender;
        Envelopes = envelopes;
    }

    public uint MsgId { get; }

    /// <summary>The MAIL FROM address (the envelope's sender, or the action's mail-from); "" for the null sender.</summary>
    public string Sender { get; set; }

    public List<MtaDeliverRequest> Envelopes { get; }

    /// <summary>Envelopes already given their outcome, so that no envelope is reported twice.</summary>
    public HashSet<ulong> Reported { get; } = [];
}
