// How a delivery helper becomes its user for good, and the proof that it did. setresuid and
// setresgid take (uid_t)-1 as "leave this id alone", so a user whose ids are -1 would make the
// drop a silent no-op and the delivery run as root: such ids are refused. After the calls every
// id is read back (real, effective, saved; the group list) and must be the target's, and root
// must no longer be reachable; anything else and the helper refuses to deliver at all.
// Behaviour reference: usr.sbin/smtpd/smtpd.c forkmda() (setgroups, setresgid, setresuid).
using Smtpd.Interop;

namespace Smtpd.Mda;

internal static class PrivilegeDrop
{
    private const uint Unchanged = uint.MaxValue;

    /// <summary>Becomes <paramref name="uid"/>:<paramref name="gid"/>; null when done and verified, else why not.</summary>
    public static string? Become(uint uid, uint gid)
    {
        if (uid == Unchanged || gid == Unchanged)
        {
            return $"invalid user ids {uid}:{gid}";
        }

        try
        {
            Posix.SetGroups([gid]);
            Posix.SetResGid(gid);
            Posix.SetResUid(uid);
            Posix.SetNoNewPrivs();
        }
        catch (PosixException e)
        {
            return e.Message;
        }

        return Verify(uid, gid);
    }

    /// <summary>Null when this process is <paramref name="uid"/>:<paramref name="gid"/> through and through, else what is wrong.</summary>
    public static string? Verify(uint uid, uint gid)
    {
        var u = Posix.GetResUid();
        var g = Posix.GetResGid();
        if (u.Real != uid || u.Effective != uid || u.Saved != uid)
        {
            return $"user ids are {u.Real}/{u.Effective}/{u.Saved}, not {uid}";
        }

        if (g.Real != gid || g.Effective != gid || g.Saved != gid)
        {
            return $"group ids are {g.Real}/{g.Effective}/{g.Saved}, not {gid}";
        }

        if (Posix.GetGroups() is var groups && groups.Any(x => x != gid))
        {
            return $"supplementary groups are {string.Join(',', groups)}, not {gid}";
        }

        // A real drop cannot be undone; if this works the drop was not one.
        if (uid != 0 && Tmds.Linux.LibC.setresuid(0, 0, 0) == 0)
        {
            return "root is still reachable";
        }

        return null;
    }
}
