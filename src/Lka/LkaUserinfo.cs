// The lookup agent's answer to "who is this delivery's user?" (the dispatcher asks before each
// local delivery): the user as the action's userbase knows it, not found, or a temporary failure.
// Behaviour reference: usr.sbin/smtpd/lka.c (IMSG_MDA_LOOKUP_USERINFO, lka_userinfo()).
using Smtpd.Config;
using Smtpd.Interop;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;
using Smtpd.Tables;

namespace Smtpd.Lka;

internal sealed class LkaUserinfo
{
    private readonly Dictionary<string, ActionDef> _actions;
    private readonly LkaUserbase _userbase;
    private readonly Func<PasswdEntry?>? _daemonUser;

    /// <summary>
    /// <paramref name="daemonUser"/> answers for the daemon's own user (commands from aliases run
    /// as _smtpd) when the daemon was not started as root and every delivery runs as the caller;
    /// null when privileged, where _smtpd is looked up like anyone else.
    /// </summary>
    public LkaUserinfo(SmtpdConfig config, LkaUserbase userbase, Func<PasswdEntry?>? daemonUser)
    {
        _actions = config.Actions.ToDictionary(a => a.Name, StringComparer.Ordinal);
        _userbase = userbase;
        _daemonUser = daemonUser;
    }

    public LkaUserinfoReply Lookup(LkaUserinfoLookup req)
    {
        if (!_actions.TryGetValue(req.Dispatcher, out var action))
        {
            // Envelopes outlive configurations: one may name an action that is gone.
            Log.Warn($"warn: lka: cannot find user table for dispatcher \"{req.Dispatcher}\"");
            return new LkaUserinfoReply(req.ReqId, UserinfoStatus.TempFail);
        }

        string table = LkaUserbase.TableName(action);
        Log.Debug($"debug: lka: userinfo {table}:{req.User}");
        if (_daemonUser is not null && action.Userbase is null && req.User == SmtpdUsers.Smtpd)
        {
            return Reply(req.ReqId, _daemonUser() is { } me ? (MatchResult.Match, new UserInfo(me.Name, me.Uid, me.Gid, me.Directory)) : (MatchResult.NoMatch, null));
        }

        var found = _userbase.Lookup(action, req.User);
        if (found.Result == MatchResult.TempFail)
        {
            Log.Warn($"warn: failure during userinfo lookup {table}:{req.User}");
        }

        return Reply(req.ReqId, found);
    }

    private static LkaUserinfoReply Reply(ulong reqId, (MatchResult Result, UserInfo? User) found) => found switch
    {
        (MatchResult.Match, { } u) => new LkaUserinfoReply(reqId, UserinfoStatus.Found, u.Name, u.Uid, u.Gid, u.Directory),
        (MatchResult.TempFail, _) => new LkaUserinfoReply(reqId, UserinfoStatus.TempFail),
        _ => new LkaUserinfoReply(reqId, UserinfoStatus.NotFound),
    };
}
