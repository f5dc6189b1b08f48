// The lookup agent (lka): tables, DNS, the ruleset, recipient expansion, delivery users and AUTH
// credentials. Runs as _smtpd, not chrooted: it reads /etc files (resolv.conf, tables) at run time.
// Behaviour reference: usr.sbin/smtpd/lka.c.
using System.Net;
using System.Net.NetworkInformation;
using Smtpd.Dns;
using Smtpd.Interop;
using Smtpd.Ipc.Messages;
using Smtpd.Rules;
using Smtpd.Runtime;
using Smtpd.Tables;

namespace Smtpd.Lka;

internal sealed partial class LkaProcess : RoleProcess
{
    private LkaExpander? _expander;
    private DnsLookups? _dns;
    private TableSet? _tables;
    private LkaUserinfo? _userinfo;
    private LkaAuthenticator? _authenticator;
    private LkaSenderCheck? _senders;

    // Expansions waiting for the parent to open a ~/.forward; touched only on this role's loop.
    private readonly Dictionary<ulong, TaskCompletionSource<ForwardOpen>> _forwards = [];
    private ulong _lastForwardId;

    // AUTH checks of system users waiting for the parent, by the id the parent answers with.
    private readonly Dictionary<ulong, TaskCompletionSource<AuthStatus>> _authentications = [];
    private ulong _lastAuthenticationId;

    public override ProcRole Role => ProcRole.Lka;

    // The lookup agent reads /etc (resolv.conf, tables) at run time, so it is not locked in.
    public override string? ChrootDir(SetupSettings settings) => null;

    public override Task StartAsync()
    {
        var config = Model;
        var tables = new TableSet(config, Settings.Hostname, LocalAddresses());
        _tables = tables;
        _expander = new LkaExpander(config, new Ruleset(config.Rules, tables), tables, Posix.GetPwNam, OpenForwardAsync);

        // Not started as root, every role and every delivery runs as the caller: that is who
        // the daemon's own user (for commands from aliases) stands for.
        _userinfo = new LkaUserinfo(config, new LkaUserbase(tables, Posix.GetPwNam), Settings.Privileged ? null : () => Posix.GetPwUid(Posix.GetUid()));
        _authenticator = new LkaAuthenticator(config, tables, SystemUserAuthenticateAsync);
        _senders = new LkaSenderCheck(config, tables);
        // SMTPD_RESOLV_CONF points a test instance at its own nameserver instead of the host's.
        string resolvConf = Environment.GetEnvironmentVariable("SMTPD_RESOLV_CONF") is { Length: > 0 } p ? p : ResolvConf.DefaultPath;
        _dns = new DnsLookups(new DnsResolver(ResolvConf.Load(resolvConf)), HostsFile.Load());
        return Task.CompletedTask;
    }

    private static List<IPAddress> LocalAddresses()
    {
        try
        {
            return NetworkInterface.GetAllNetworkInterfaces()
                .SelectMany(n => n.GetIPProperties().UnicastAddresses.Select(u => u.Address))
                .Where(a => !a.IsIPv6LinkLocal)
                .ToList();
        }
        catch (NetworkInformationException)
        {
            return [IPAddress.Loopback, IPAddress.IPv6Loopback];
        }
    }
}
