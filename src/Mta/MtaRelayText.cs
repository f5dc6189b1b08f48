// How `smtpctl show relays` names a relay: "[relay:NAME,port=N,SCHEME,auth=TABLE:LABEL,...]",
// NAME the relay host or else the destination domain, then the options that set the relay
// apart, in OpenSMTPD's order.
// Behaviour reference: usr.sbin/smtpd/mta.c (mta_relay_to_text).
using System.Globalization;
using Smtpd.Config;
using Smtpd.Ipc.Messages;

namespace Smtpd.Mta;

internal static class MtaRelayText
{
    public static string For(ActionDef? action, string domain, MtaRouteReply? reply)
    {
        string name = domain;
        string? port = null;
        string label = string.Empty;
        if (action?.Host is { IsInline: true, Inline.Count: 1 } host && RelayUrl.Parse(host.Inline[0].Key) is { } url)
        {
            name = url.Host;
            label = url.Label;
            string rest = host.Inline[0].Key[(host.Inline[0].Key.IndexOf("://", StringComparison.Ordinal) is int i and >= 0 ? i + 3 : 0)..];
            if (rest.LastIndexOf(':') > rest.LastIndexOf(']'))
            {
                port = url.Port.ToString(CultureInfo.InvariantCulture);
            }
        }

        var parts = new List<string> { "relay:" + name };
        if (port is not null)
        {
            parts.Add("port=" + port);
        }

        parts.Add((reply?.Scheme ?? (action?.Tls is RelayTls.Required or RelayTls.RequiredNoVerify ? MtaScheme.SmtpTls : MtaScheme.Smtp)) switch
        {
            MtaScheme.SmtpTls => "smtp+tls",
            MtaScheme.Smtps => "smtps",
            MtaScheme.SmtpNoTls => "smtp+notls",
            MtaScheme.Lmtp => "lmtp",
            _ => "smtp",
        });
        if (label.Length > 0 && action?.Auth is { } auth)
        {
            parts.Add($"auth={auth.Name ?? "<inline>"}:{label}");
        }

        if (action?.Pki is { } pki)
        {
            parts.Add("pki_name=" + pki);
        }

        if (action?.BackupMx is { } backup)
        {
            parts.Add("backup=" + backup);
        }

        if (action?.Src is { Name: { } src })
        {
            parts.Add("sourcetable=" + src);
        }

        if (action?.HeloSrc is { Name: { } helo })
        {
            parts.Add("helotable=" + helo);
        }

        if (action?.Helo is { } heloname)
        {
            parts.Add("heloname=" + heloname);
        }

        return "[" + string.Join(",", parts) + "]";
    }
}
