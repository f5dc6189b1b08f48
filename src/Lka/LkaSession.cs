// One recipient's expansion in progress: the tree of nodes, the deliveries found so far, and the
// first error (a temporary one, or a permanent one with the reply to give).
// Behaviour reference: usr.sbin/smtpd/lka_session.c struct lka_session.
using Smtpd.Ipc.Messages;
using Smtpd.Rules;

namespace Smtpd.Lka;

internal sealed class LkaSession(RuleContext context)
{
    public RuleContext Context { get; } = context;

    public ExpandTree Tree { get; } = new();

    public List<LkaDelivery> Deliveries { get; } = [];

    /// <summary>0 while all is well, else <see cref="ExpandStatus.Rejected"/> or <see cref="ExpandStatus.TempFail"/>.</summary>
    public ExpandStatus Error { get; private set; }

    public string? ErrorReply { get; private set; }

    public string? Why { get; private set; }

    /// <summary>Records the first failure; later ones do not override its reply.</summary>
    public void Fail(ExpandStatus status, string? reply, string why)
    {
        if (Error != 0)
        {
            return;
        }

        Error = status;
        ErrorReply = reply;
        Why = why;
    }
}
