// The user half of expansion: a name's aliases or virtual entries, else the user itself (found in
// the userbase) and what its ~/.forward says.
// Behaviour reference: usr.sbin/smtpd/lka_session.c lka_expand() (EXPAND_USERNAME),
// lka_session_forward_reply(), forward.c forwards_get().
using System.Text;
using Smtpd.Config;
using Smtpd.Interop;
using Smtpd.Ipc.Messages;
using Smtpd.Tables;

namespace Smtpd.Lka;

internal sealed partial class LkaExpander
{
    /// <summary>A .forward this large or larger is not read (MAX_FORWARD_SIZE).</summary>
    public const int MaxForwardSize = 4 * 1024;

    private async ValueTask ExpandUsernameAsync(LkaSession lks, ExpandNode xn)
    {
        var action = xn.Action!;
        if (!xn.SameUser && (action.Alias is not null || action.Virtual is not null))
        {
            int r = action.Virtual is not null
                ? VirtualGet(lks, xn, action.Virtual, xn.Text, string.Empty)
                : AliasesGet(lks, xn, action.Alias!, xn.Text);
            if (r < 0)
            {
                lks.Fail(ExpandStatus.TempFail, ExpansionTempFail, $"alias table cannot answer for {xn.Text}");
                return;
            }

            if (r > 0)
            {
                return;
            }
        }

        string user = xn.Text;
        int tag = user.IndexOf(_delimiter, StringComparison.Ordinal);
        if (tag >= 0)
        {
            xn.Subaddress = user[(tag + 1)..];
            user = user[..tag];
        }

        var (found, info) = _userbase.Lookup(action, user);
        if (found == MatchResult.TempFail)
        {
            lks.Fail(ExpandStatus.TempFail, null, $"backend error while searching user {user}");
            return;
        }

        if (info is null)
        {
            lks.Fail(ExpandStatus.Rejected, null, $"user-part does not match system user: {user}");
            return;
        }

        xn.RealUser = true;
        xn.RealUid = info.Uid;
        var named = new ExpandNode(ExpandNodeKind.Username, user) { Action = action, Subaddress = xn.Subaddress };
        named.Parent = xn.Parent;

        // "\alice" in alice's own .forward, or a delivery user that is someone else: no .forward read.
        if ((xn.SameUser && xn.Parent is { Forwarded: true }) || (action.User is not null && action.User != user) || _openForward is null)
        {
            Submit(lks, named);
            return;
        }

        xn.Forwarded = true;
        var reply = await _openForward(info);
        using var fd = reply.Fd;
        if (reply.Status == ForwardStatus.Refused)
        {
            lks.Fail(ExpandStatus.Rejected, ExpansionPermFail, $"~/.forward failed for user {user}");
            return;
        }

        if (reply.Status != ForwardStatus.Ok)
        {
            lks.Fail(ExpandStatus.TempFail, ExpansionTempFail, $"~/.forward of {user} cannot be opened now");
            return;
        }

        int added = fd is null ? 0 : ForwardsGet(lks, xn, fd);
        if (added < 0)
        {
            lks.Fail(ExpandStatus.TempFail, ExpansionTempFail, $"temporary forward error for user {user}");
        }
        else if (added == 0 && action.Method == ActionMethod.ForwardOnly)
        {
            lks.Fail(ExpandStatus.TempFail, ExpansionTempFail, $"no .forward for user {user} on a forward-only action");
        }
        else if (added == 0 && action.Method == ActionMethod.ExpandOnly)
        {
            lks.Fail(ExpandStatus.Rejected, ExpansionPermFail, $"no .forward for user {user} and no default action");
        }
        else if (added == 0)
        {
            Submit(lks, named);
        }
    }

    /// <summary>Reads a .forward: -1 unreadable or too large or malformed, else how many nodes it added.</summary>
    private static int ForwardsGet(LkaSession lks, ExpandNode xn, SafeFd fd)
    {
        var buffer = new byte[MaxForwardSize];
        int total = 0;
        while (total < buffer.Length)
        {
            if (Posix.TryRead(fd, buffer.AsSpan(total), out int n) != Errno.None)
            {
                return -1;
            }

            if (n == 0)
            {
                break;
            }

            total += n;
        }

        if (total >= MaxForwardSize)
        {
            Runtime.Log.Info("info: forward file exceeds max size");
            return -1;
        }

        int before = lks.Tree.Count, added = 0;
        foreach (string line in AliasLine.Lines(Encoding.UTF8.GetString(buffer, 0, total)))
        {
            var nodes = AliasLine.Parse(line, includes: false);
            if (nodes is null)
            {
                Runtime.Log.Info("info: parse error in forward file");
                return -1;
            }

            foreach (var n in nodes)
            {
                added += lks.Tree.Insert(n, xn) ? 1 : 0;
            }

            if (lks.Tree.Count - before > MaxForwardNodes)
            {
                Runtime.Log.Info("info: forward file expanded too many nodes");
                return -1;
            }
        }

        return added;
    }
}
