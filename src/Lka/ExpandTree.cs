// The set of nodes one recipient has expanded to so far, and the queue of those still to expand.
// A node equal to one already present is dropped: this removes duplicates and is what stops alias
// loops (the second visit adds nothing, and an expansion with no delivery left is refused).
// Behaviour reference: usr.sbin/smtpd/expand.c expand_insert(), expand_cmp().
namespace Smtpd.Lka;

internal sealed class ExpandTree
{
    private readonly HashSet<(ExpandNodeKind, bool, string, int, int, string?)> _seen = [];
    private readonly Queue<ExpandNode> _pending = new();

    public int Count { get; private set; }

    public int Pending => _pending.Count;

    /// <summary>Adds <paramref name="node"/> under <paramref name="parent"/>; false if an equal node is already in the tree.</summary>
    public bool Insert(ExpandNode node, ExpandNode? parent)
    {
        node.Parent = parent;
        node.Action ??= parent?.Action;
        node.Depth = parent is null ? 0 : parent.Depth + 1;
        if (node.Kind == ExpandNodeKind.Username && parent is { Kind: ExpandNodeKind.Username } && parent.Text == node.Text)
        {
            node.SameUser = true;
        }

        // The same text may be expanded for different destinations, and a file or command for
        // different users: those are different nodes (expand_cmp walks to the same ancestors).
        var address = node.Kind == ExpandNodeKind.Address ? null : node.AddressAncestor();
        ExpandNode? user = null;
        if (node.Kind is ExpandNodeKind.Filename or ExpandNodeKind.Filter)
        {
            for (user = parent; user is not null && user.Kind != ExpandNodeKind.Username; user = user.Parent)
            {
            }
        }

        string text = node.Kind == ExpandNodeKind.Address ? node.Text.ToLowerInvariant() : node.Text;
        var key = (node.Kind, node.SameUser, text, Identity(address), Identity(user), node.Action?.Name);
        if (!_seen.Add(key))
        {
            return false;
        }

        node.Id = ++Count;
        _pending.Enqueue(node);
        return true;
    }

    public bool TryNext(out ExpandNode node) => _pending.TryDequeue(out node!);

    private static int Identity(ExpandNode? n) => n?.Id ?? 0;
}
