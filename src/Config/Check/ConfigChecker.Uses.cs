// Per-statement checks: listeners, actions, filters and match rules.
// Behaviour reference: usr.sbin/smtpd/parse.y (create_if_listener, config_listener, dispatcher and
// match_option table checks, filterel), table.c.
namespace Smtpd.Config;

internal sealed partial class ConfigChecker
{
    private void CheckListeners()
    {
        SourceLocation? socket = null;
        foreach (var l in _config.Listeners)
        {
            var name = l.IsSocket ? "listen on socket" : $"listen on {l.Interface}";
            if (l.IsSocket)
            {
                if (socket is not null)
                {
                    Error(l.Where, $"socket listener already configured at {socket}");
                }
                socket = l.Where;
            }
            var tls = l.Tls != ListenerTls.None;
            if (l.Auth != ListenerAuth.None && !tls)
            {
                Error(l.Where, $"{name}: {(l.Auth == ListenerAuth.Required ? "auth" : "auth-optional")} requires tls, tls-require or smtps");
            }
            if (l.ClientFingerprints is not null && !tls)
            {
                Error(l.Where, $"{name}: fingerprints requires tls, tls-require or smtps");
            }
            if ((l.Pkis.Count > 0 || l.PkiTable is not null) && !tls)
            {
                Error(l.Where, $"{name}: pki requires tls, tls-require or smtps");
            }
            if (l.PkiTable is { } pkiTable && (pkiTable.Name is null || (_tables.TryGetValue(pkiTable.Name, out var pkiTableDef) && pkiTableDef.Backend is not ("static" or "file"))))
            {
                Error(l.Where, $"{name}: pki <table>: the certificates must come from a declared inline or file table");
            }
            if (tls && l.Pkis.Count == 0 && l.PkiTable is null)
            {
                Error(l.Where, $"{name}: {TlsName(l.Tls)} requires a pki (add \"pki NAME\")");
            }
            foreach (var pki in l.Pkis)
            {
                CertName(_config.Pkis.Select(p => p.Name), l.Where, "pki", pki);
            }
            if (l.Ca is not null)
            {
                Defined(_config.Cas.Any(c => string.Equals(c.Name, l.Ca, StringComparison.OrdinalIgnoreCase)), l.Where, "ca", l.Ca);
            }
            UseTable(l.AuthTable, new TableUse("auth", false, true, "credentials"), l.Where);
            UseTable(l.Hostnames, new TableUse("hostnames", false, true, "addrname"), l.Where);
            UseTable(l.Senders, new TableUse("senders", false, true, "mailaddrmap"), l.Where);
            UseTable(l.ClientFingerprints, new TableUse("fingerprints", true, true, "string"), l.Where);
            UseTable(l.PkiTable, new TableUse("pki", false, true, "string"), l.Where);
            FilterReference(l.Filter, l.FilterChain, l.Where);
        }
    }

    private static string TlsName(ListenerTls tls) => tls switch
    {
        ListenerTls.Smtps => "smtps",
        ListenerTls.StartTls => "tls",
        _ => "tls-require",
    };

    private void CheckActions()
    {
        foreach (var a in _config.Actions)
        {
            UseTable(a.Alias, new TableUse("alias", false, true, "alias"), a.Where);
            UseTable(a.Virtual, new TableUse("virtual", false, true, "alias"), a.Where);
            UseTable(a.Userbase, new TableUse("userbase", false, true, "userinfo"), a.Where);
            UseTable(a.HeloSrc, new TableUse("helo-src", false, true, "addrname"), a.Where);
            UseTable(a.Src, new TableUse("source", true, true, "source"), a.Where);
            UseTable(a.Host, new TableUse("host", true, false, "relayhost"), a.Where);
            UseTable(a.Domain, new TableUse("domain", false, true, "relayhost"), a.Where);
            UseTable(a.Auth, new TableUse("auth", false, true, "credentials"), a.Where);
            UseTable(a.Fingerprints, new TableUse("fingerprint", true, true, "string"), a.Where);
            if (a.Host is { IsInline: true } host)
            {
                foreach (var entry in host.Inline)
                {
                    if (RelayUrl.Validate(entry.Key) is { } problem)
                    {
                        Error(a.Where, $"action \"{a.Name}\": invalid relay host \"{entry.Key}\": {problem}");
                    }
                }
            }
            if (a.Wrapper is not null)
            {
                Defined(_config.MdaWrappers.Any(w => w.Name == a.Wrapper), a.Where, "mda wrapper", a.Wrapper);
            }
            if (a.Pki is not null)
            {
                CertName(_config.Pkis.Select(p => p.Name), a.Where, "pki", a.Pki);
            }
            if (a.Ca is not null)
            {
                CertName(_config.Cas.Select(c => c.Name), a.Where, "ca", a.Ca);
            }
            if (a.MtaSts && (a.Host is not null || a.Domain is not null))
            {
                // An MTA-STS policy names a domain's MX hosts: a relay host is none of them.
                Error(a.Where, $"action \"{a.Name}\": mta-sts applies to mail sent to MX hosts, not through a relay host (remove host/domain or mta-sts)");
            }
            FilterReference(a.Filter, a.FilterChain, a.Where);
        }
    }

    private void CheckFilters()
    {
        foreach (var f in _config.Filters)
        {
            switch (f.Kind)
            {
                case FilterKind.Proc:
                    Defined(_config.Procs.Any(p => p.Name == f.Proc), f.Where, "proc", f.Proc ?? string.Empty);
                    break;
                case FilterKind.Chain:
                    CheckChain(f.Chain, f.Where);
                    break;
                case FilterKind.Phase when f.Check?.Table is { } table:
                    UseTable(table, FilterCheckUse(f.Check), f.Where);
                    break;
                default:
                    break;
            }
        }
    }

    private static TableUse FilterCheckUse(FilterCheck check)
    {
        var name = check.Kind.ToString().ToLowerInvariant();
        if (check.Regex)
        {
            return new TableUse(name, true, true, "regex");
        }
        return check.Kind switch
        {
            FilterCheckKind.Src => new TableUse("src", true, true, "netaddr"),
            FilterCheckKind.Rdns or FilterCheckKind.Helo => new TableUse(name, true, true, "domain"),
            FilterCheckKind.Auth => new TableUse("auth", true, true, "string"),
            _ => new TableUse(name, true, true, "mailaddr"),
        };
    }

    private void FilterReference(string? name, ValueList<string> chain, SourceLocation where)
    {
        if (name is not null)
        {
            Defined(_config.Filters.Any(f => f.Name == name), where, "filter", name);
        }
        CheckChain(chain, where);
    }

    // A chain holds existing, non-chain filters, each once, and no process twice.
    private void CheckChain(ValueList<string> chain, SourceLocation where)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var procs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var member in chain)
        {
            var filter = _config.Filters.FirstOrDefault(f => f.Name == member);
            if (filter is null)
            {
                Error(where, $"undefined filter \"{member}\"");
                continue;
            }
            if (filter.Kind == FilterKind.Chain)
            {
                Error(where, $"filter chain cannot contain another chain: \"{member}\"");
            }
            if (!seen.Add(member))
            {
                Error(where, $"filter \"{member}\" appears twice in one chain");
            }
            var proc = filter.Kind == FilterKind.Proc ? filter.Proc : filter.Kind == FilterKind.ProcExec ? filter.Name : null;
            if (proc is not null && !procs.Add(proc))
            {
                Error(where, $"proc \"{proc}\" appears twice in one chain");
            }
        }
    }

    private void CheckRules()
    {
        foreach (var r in _config.Rules)
        {
            // An action whose statement failed to parse was reported already; do not add "undefined".
            if (r.Action is not null && !_brokenActions.Contains(r.Action))
            {
                Defined(_config.Actions.Any(a => a.Name == r.Action), r.Where, "action", r.Action);
            }
            foreach (var c in r.Criteria)
            {
                if (c.Table is not null)
                {
                    UseTable(c.Table, RuleUse(c), r.Where);
                }
            }
        }
    }

    private static TableUse RuleUse(MatchCriterion c)
    {
        var usage = "\"" + ConfigPrinter.CriterionName(c.Kind) + (c.Regex ? " regex" : string.Empty) + "\"";
        if (c.Regex)
        {
            return new TableUse(usage, true, false, "regex");
        }
        return c.Kind switch
        {
            MatchKind.FromSrc => new TableUse(usage, true, false, "netaddr"),
            MatchKind.FromRdns or MatchKind.Helo or MatchKind.ForDomain => new TableUse(usage, true, false, "domain"),
            MatchKind.FromAuth => new TableUse(usage, true, false, "credentials"),
            MatchKind.Auth => new TableUse(usage, true, true, "credentials"),
            MatchKind.Tag => new TableUse(usage, true, false, "string"),
            _ => new TableUse(usage, true, true, "mailaddr"),
        };
    }

    // pki and ca statements store their names in lower case; OpenSMTPD then looks up the name
    // a listener's pki or an action's pki or ca gives exactly as written, so another case is
    // not found (a listener's ca alone is lower-cased before the lookup).
    private void CertName(IEnumerable<string> declared, SourceLocation where, string what, string name)
    {
        var names = declared.ToList();
        if (names.Contains(name, StringComparer.Ordinal))
        {
            return;
        }
        if (names.Contains(name, StringComparer.OrdinalIgnoreCase))
        {
            Error(where, $"{what} name not found: \"{name}\" ({what} names are declared in lower case: write \"{name.ToLowerInvariant()}\")");
            return;
        }
        Error(where, $"undefined {what} \"{name}\"");
    }

    private void Defined(bool found, SourceLocation where, string what, string name)
    {
        if (!found)
        {
            Error(where, $"undefined {what} \"{name}\"");
        }
    }
}
