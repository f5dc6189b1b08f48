// One node of a recipient's expansion tree: its kind and text, the node it came from, the action
// (rule) it is expanded under, and what the expansion learned about it on the way.
// Behaviour reference: usr.sbin/smtpd/smtpd.h struct expandnode, expand.c.
using Smtpd.Config;

namespace Smtpd.Lka;

internal sealed class ExpandNode(ExpandNodeKind kind, string text)
{
    public ExpandNodeKind Kind { get; } = kind;

    /// <summary>The user name (lower case), the address "user@domain", the file, the command, or the error reply.</summary>
    public string Text { get; } = text;

    /// <summary>Its number in the tree (1, 2, ...): tells apart nodes with the same text.</summary>
    public int Id { get; set; }

    public ExpandNode? Parent { get; set; }

    public int Depth { get; set; }

    public ActionDef? Action { get; set; }

    /// <summary>A user's own name inside its own expansion ("\alice" in alice's .forward): delivered, not expanded again.</summary>
    public bool SameUser { get; set; }

    /// <summary>The user's ~/.forward was asked for.</summary>
    public bool Forwarded { get; set; }

    /// <summary>The name was found in the userbase (a real, or virtual, user with a uid).</summary>
    public bool RealUser { get; set; }

    public uint RealUid { get; set; }

    public string Subaddress { get; set; } = string.Empty;

    /// <summary>The closest address this node descends from (itself if an address), the mail's destination.</summary>
    public ExpandNode? AddressAncestor()
    {
        for (var n = Parent; n is not null; n = n.Parent)
        {
            if (n.Kind == ExpandNodeKind.Address)
            {
                return n;
            }
        }

        return null;
    }

    public override string ToString() => $"{Kind.ToString().ToLowerInvariant()}:{Text}";
}
