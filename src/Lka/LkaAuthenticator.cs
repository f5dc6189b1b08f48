// AUTH PLAIN/LOGIN checks: the user's entry in the listener's credentials table, its password
// part a crypt(3) hash the client's password must reproduce. Unknown user and wrong password are
// the same answer; a table that cannot answer is a temporary failure, never a refusal. A
// listener without a table authenticates the system's users, which only the parent can read.
// Behaviour reference: usr.sbin/smtpd/lka.c (IMSG_SMTP_AUTHENTICATE, lka_authenticate()), table.c (K_CREDENTIALS).
using System.Text;
using Smtpd.Config;
using Smtpd.Interop;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;
using Smtpd.Tables;

namespace Smtpd.Lka;

internal sealed class LkaAuthenticator
{
    private readonly ValueList<ListenerDef> _listeners;
    private readonly TableSet _tables;
    private readonly Func<string, string, ValueTask<AuthStatus>> _systemUsers;

    /// <summary><paramref name="systemUsers"/> asks the parent to check a system user's password.</summary>
    public LkaAuthenticator(SmtpdConfig config, TableSet tables, Func<string, string, ValueTask<AuthStatus>> systemUsers)
    {
        _listeners = config.Listeners;
        _tables = tables;
        _systemUsers = systemUsers;
    }

    public async ValueTask<LkaAuthenticateReply> AuthenticateAsync(LkaAuthenticate req)
    {
        if (req.ListenerIndex < 0 || req.ListenerIndex >= _listeners.Count)
        {
            Log.Warn($"warn: lka: authentication request for unknown listener {req.ListenerIndex}");
            return new LkaAuthenticateReply(req.ReqId, AuthStatus.TempFail);
        }

        var table = _listeners[req.ListenerIndex].AuthTable;
        if (table is null)
        {
            return new LkaAuthenticateReply(req.ReqId, await _systemUsers(req.User, req.Password));
        }

        // The table is read here, on the loop; the hashing (yescrypt or bcrypt: tenths of a
        // second) runs on the thread pool, so recipient lookups do not wait behind it.
        var (status, hash) = Lookup(_tables.Resolve(table), req.User);
        if (hash is not null)
        {
            status = await Task.Run(() => Verify(req.Password, hash));
        }

        return new LkaAuthenticateReply(req.ReqId, status);
    }

    /// <summary>Checks one user's password against <paramref name="table"/>: Ok, Fail or TempFail.</summary>
    public static AuthStatus Check(ITable table, string user, string password)
    {
        var (status, hash) = Lookup(table, user);
        return hash is null ? status : Verify(password, hash);
    }

    /// <summary>The user's hash, or the verdict when there is none to check (Fail, TempFail).</summary>
    private static (AuthStatus Status, string? Hash) Lookup(ITable table, string user)
    {
        Log.Debug($"debug: lka: authenticating for {table.Name}:{user}");
        var (r, value) = table.Lookup(TableService.Credentials, user);
        var creds = r == MatchResult.Match && value is not null ? Credentials.Parse(user, value) : null;
        if (r == MatchResult.TempFail || (r == MatchResult.Match && creds is null))
        {
            Log.Warn($"warn: user credentials lookup fail for {table.Name}:{user}");
            return (AuthStatus.TempFail, null);
        }

        return creds is null ? (AuthStatus.Fail, null) : (AuthStatus.Fail, creds.Password);
    }

    // The client's bytes, one per char, as the session decoded them.
    private static AuthStatus Verify(string password, string hash) =>
        Posix.CheckPassword(Encoding.Latin1.GetBytes(password), hash) ? AuthStatus.Ok : AuthStatus.Fail;
}
