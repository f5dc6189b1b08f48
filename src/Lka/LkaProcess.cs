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
    private LkaMtaRoute? _mtaRoute;
    private LkaMtaSecurity? _mtaSecurity;
    private TableSet? _tables;
    private LkaUserinfo? _userinfo;
    private LkaAuthenticator? _authenticator;
    private LkaFilters? _filters;
    private Dictionary<string, DkimSigningStage> _signers = [];
    private readonly List<(string Name, SafeFd? Fd, bool Stderr)> _earlyProcs = [];
    private LkaSenderCheck? _senders;
    private LkaCertPins? _pins;
    private LkaOcsp? _ocsp;

    // Expansions waiting for the parent to open a ~/.forward; touched only on this role's loop.
    private readonly Ipc.ImsgRequests<ForwardOpen> _forwards = new();

    // AUTH checks of system users waiting for the parent, by the id the parent answers with.
    private readonly Ipc.ImsgRequests<AuthStatus> _authentications = new();

    public override ProcRole Role => ProcRole.Lka;

    // The lookup agent reads /etc (resolv.conf, tables) at run time, so it is not locked in.
    public override string? ChrootDir(SetupSettings settings) => null;

    // DKIM keys are usually readable by root only: read them before the drop. OCSP stapling
    // parses certificates and responses here.
    public override bool NeedsCrypto => Model.Filters.Any(f => f.Kind == Config.FilterKind.DkimSign) || Model.Pkis.Any(p => p.Ocsp);

    public override void BeforeDrop() => _signers = DkimSigningStage.LoadAll(Model);

    /// <summary>Forward opens and system-user AUTH checks wait for the parent: gone, they fail.</summary>
    public override void OnPeerLost(ProcRole peer)
    {
        if (peer == ProcRole.Parent)
        {
            var lost = new IOException("lost peer parent");
            _forwards.FailAll(lost);
            _authentications.FailAll(lost);
        }
    }

    public override Task StartAsync()
    {
        // SMTPD_RESOLV_CONF points a test instance at its own nameserver instead of the host's.
        string resolvConf = Environment.GetEnvironmentVariable("SMTPD_RESOLV_CONF") is { Length: > 0 } p ? p : ResolvConf.DefaultPath;
        _dns = new DnsLookups(new DnsResolver(ResolvConf.Load(resolvConf)), HostsFile.Load());
        Build(Model);

        // Filters are started once: a reload that changes them is refused, so the tables they
        // match against stay those of the start.
        _filters = new LkaFilters(Model, _tables!, Settings.Hostname, (name, why) => Peers[ProcRole.Parent].Post(new FilterProcRestart(name, why)), _signers);
        foreach (var (name, fd, stderr) in _earlyProcs)
        {
            _filters.ProcStarted(name, fd, stderr);
        }

        _earlyProcs.Clear();
        _ocsp = new LkaOcsp(_dns, staple => Peers[ProcRole.Dispatcher].Post(staple));
        _ocsp.Start(Model);
        return Task.CompletedTask;
    }

    /// <summary>
    /// Tables, ruleset, actions, users and credentials from a configuration: at start, and again
    /// for smtpctl reload (rules, actions and tables are what a reload changes; each request
    /// already under way finishes with what it started with).
    /// </summary>
    private void Build(Config.SmtpdConfig config)
    {
        var tables = new TableSet(config, Settings.Hostname, LocalAddresses());
        _tables = tables;
        _expander = new LkaExpander(config, new Ruleset(config.Rules, tables), tables, Posix.GetPwNam, OpenForwardAsync);

        // Not started as root, every role and every delivery runs as the caller: that is who
        // the daemon's own user (for commands from aliases) stands for.
        _userinfo = new LkaUserinfo(config, new LkaUserbase(tables, Posix.GetPwNam), Settings.Privileged ? null : () => Posix.GetPwUid(Posix.GetUid()));
        _authenticator = new LkaAuthenticator(config, tables, SystemUserAuthenticateAsync);
        _mtaRoute = new LkaMtaRoute(config, tables, _dns!);
        _mtaSecurity = new LkaMtaSecurity(config, tables, _dns!);
        _senders = new LkaSenderCheck(config, tables);
        _pins = new LkaCertPins(config, tables);
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
