// smtpctl spf walk: domain names on standard input, one a line; prints every network their SPF
// records allow, following include:, redirect=, a, mx and exists: (the addresses their names
// resolve to, with the mechanism's prefix length when it has one). Each term is followed once;
// terms that deny (- and ~) are skipped; names with macros cannot be resolved and are reported.
// $SMTPD_RESOLV_CONF names another resolv.conf (tests), as for the daemon.
// Behaviour reference: usr.sbin/smtpd/spfwalk.c.
using System.Net;
using System.Net.Sockets;
using Smtpd.Dns;

namespace Smtpd.Ctl;

internal sealed class SpfWalk
{
    private readonly DnsResolver _resolver;
    private readonly TextWriter _output;
    private readonly TextWriter _errors;
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    private SpfWalk(DnsResolver resolver, TextWriter output, TextWriter errors)
    {
        _resolver = resolver;
        _output = output;
        _errors = errors;
    }

    public static int Run(TextReader input, TextWriter output, TextWriter errors)
    {
        string conf = Environment.GetEnvironmentVariable("SMTPD_RESOLV_CONF") is { Length: > 0 } p ? p : ResolvConf.DefaultPath;
        var walk = new SpfWalk(new DnsResolver(ResolvConf.Load(conf)), output, errors);
        while (input.ReadLine() is { } line)
        {
            string domain = line.TrimEnd();
            if (domain.Length > 0)
            {
                walk.TxtAsync(domain).GetAwaiter().GetResult();
            }
        }

        output.Flush();
        return 0;
    }

    private async Task TxtAsync(string name)
    {
        if (!Resolvable(name))
        {
            return;
        }

        var r = await _resolver.QueryAsync(name, DnsType.TXT);
        foreach (var txt in r.Records.Where(x => x.Type == DnsType.TXT).Select(x => x.Text ?? string.Empty))
        {
            if (!txt.StartsWith("v=spf1 ", StringComparison.OrdinalIgnoreCase))
            {
                continue;
            }

            foreach (string raw in txt.Split(' '))
            {
                await TermAsync(raw, name);
            }
        }
    }

    private async Task TermAsync(string raw, string domain)
    {
        string term = raw.EndsWith('.') ? raw[..^1] : raw;
        if (term.Equals("v=spf1", StringComparison.OrdinalIgnoreCase) || !_seen.Add(term) || term.StartsWith('-') || term.StartsWith('~'))
        {
            return;
        }

        if (term.StartsWith('+') || term.StartsWith('?'))
        {
            term = term[1..];
        }

        if (Prefixed(term, "ip4:", out string v4))
        {
            if (IPNetwork.TryParse(v4, out _) || IPAddress.TryParse(v4, out _))
            {
                _output.WriteLine(v4);
            }
        }
        else if (Prefixed(term, "ip6:", out string v6))
        {
            if (IPNetwork.TryParse(v6, out _) || IPAddress.TryParse(v6, out _))
            {
                _output.WriteLine(v6);
            }
        }
        else if (term.Equals("a", StringComparison.OrdinalIgnoreCase))
        {
            await AddressesAsync(domain, -1, -1);
        }
        else if (Prefixed(term, "a:", out string a) && Target(a, out string aName, out int a4, out int a6))
        {
            await AddressesAsync(aName, a4, a6);
        }
        else if (Prefixed(term, "exists:", out string exists))
        {
            await AddressesAsync(exists, -1, -1, aaaa: false);
        }
        else if (Prefixed(term, "include:", out string include))
        {
            await TxtAsync(include);
        }
        else if (Prefixed(term, "redirect=", out string redirect))
        {
            await TxtAsync(redirect);
        }
        else if (term.Equals("mx", StringComparison.OrdinalIgnoreCase))
        {
            await MxAsync(domain, -1, -1);
        }
        else if (Prefixed(term, "mx:", out string mx) && Target(mx, out string mxName, out int m4, out int m6))
        {
            await MxAsync(mxName, m4, m6);
        }
    }

    private async Task MxAsync(string name, int cidr4, int cidr6)
    {
        if (!Resolvable(name))
        {
            return;
        }

        var r = await _resolver.QueryAsync(name, DnsType.MX);
        foreach (var mx in r.Records.Where(x => x.Type == DnsType.MX && !string.IsNullOrEmpty(x.Target)))
        {
            await AddressesAsync(mx.Target!, cidr4, cidr6);
        }
    }

    private async Task AddressesAsync(string name, int cidr4, int cidr6, bool aaaa = true)
    {
        if (!Resolvable(name))
        {
            return;
        }

        foreach (var type in aaaa ? new[] { DnsType.A, DnsType.AAAA } : [DnsType.A])
        {
            var r = await _resolver.QueryAsync(name, type);
            foreach (var address in r.Records.Where(x => x.Type == type && x.Address is not null).Select(x => x.Address!))
            {
                int cidr = address.AddressFamily == AddressFamily.InterNetwork ? cidr4 : cidr6;
                _output.WriteLine(cidr >= 0 ? $"{address}/{cidr}" : address.ToString());
            }
        }
    }

    /// <summary>A name with SPF macros (%{...}) cannot be looked up without a message to expand them for.</summary>
    private bool Resolvable(string name)
    {
        if (!name.Contains('%', StringComparison.Ordinal))
        {
            return true;
        }

        string shown = string.Create(name.Length, name, static (chars, n) =>
        {
            for (int i = 0; i < chars.Length; i++)
            {
                chars[i] = char.IsControl(n[i]) || n[i] > '~' ? '?' : n[i];
            }
        });
        _errors.WriteLine($"smtpctl: lookup_record: {shown} contains macros and can't be resolved");
        return false;
    }

    private static bool Prefixed(string term, string prefix, out string rest)
    {
        bool ok = term.StartsWith(prefix, StringComparison.OrdinalIgnoreCase);
        rest = ok ? term[prefix.Length..] : string.Empty;
        return ok;
    }

    /// <summary>parse_target: "name", "name/24" or "name/24//64", the prefix lengths checked.</summary>
    private static bool Target(string spec, out string name, out int cidr4, out int cidr6)
    {
        cidr4 = cidr6 = -1;
        name = spec;
        int slash = spec.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return true;
        }

        name = spec[..slash];
        string rest = spec[(slash + 1)..];
        int dbl = rest.IndexOf("//", StringComparison.Ordinal);
        string four = dbl >= 0 ? rest[..dbl] : rest;
        string six = dbl >= 0 ? rest[(dbl + 2)..] : string.Empty;
        if (rest.StartsWith('/'))
        {
            four = string.Empty;
            six = rest[1..];
        }

        if (four.Length > 0 && (!int.TryParse(four, out cidr4) || cidr4 is < 0 or > 32))
        {
            return false;
        }

        if (six.Length > 0 && (!int.TryParse(six, out cidr6) || cidr6 is < 0 or > 128))
        {
            return false;
        }

        return true;
    }
}
