// What the lookup agent knows of one filtered smtp-in session: its chain, and the facts builtin
// filters test (learnt from the session's begin, its phases and its link-auth report).
// Behaviour reference: usr.sbin/smtpd/lka_filter.c (struct filter_session).
using Smtpd.Config;
using Smtpd.Ipc.Messages;

namespace Smtpd.Lka;

internal sealed class FilterSession(ulong id, IReadOnlyList<FilterDef> chain)
{
    public ulong Id { get; } = id;

    /// <summary>The listener's filters in order (a chain's members, or the one filter).</summary>
    public IReadOnlyList<FilterDef> Chain { get; } = chain;

    public string Rdns { get; set; } = "<unknown>";

    public FcrdnsResult Fcrdns { get; set; }

    /// <summary>The client's address as a netaddr table key ("192.0.2.1", "2001:db8::1", "local").</summary>
    public string Source { get; set; } = string.Empty;

    public string? Helo { get; set; }

    public string? Username { get; set; }

    public string? MailFrom { get; set; }

    /// <summary>The message lines in flight, if the chain filters them.</summary>
    public FilterDataSession? Data { get; set; }
}
