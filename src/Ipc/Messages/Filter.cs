// Dispatcher ↔ lookup agent for filtered smtp-in sessions, and parent ↔ lookup agent for the
// filter processes. Phases and decisions travel as the byte values of Smtp.SmtpFilterPhase and
// Smtp.SmtpFilterDecision (both frozen).
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (smtp_filter_begin, smtp_query_filters,
// smtp_filter_data_begin, smtp_report_*), lka.c (IMSG_FILTER_SMTP_*, IMSG_REPORT_SMTP_*,
// IMSG_LKA_PROCESSOR_FORK, IMSG_LKA_PROCESSOR_ERRFD), smtpd.c fork_filter_process().
namespace Smtpd.Ipc.Messages;

/// <summary>
/// A session on a filtered listener starts: the lka keeps what its builtin filters test.
/// Endpoints are as reports show them ("192.0.2.1:25", "[2001:db8::1]:25", "unix:/path").
/// </summary>
internal readonly record struct FilterBegin(ulong SessionId, int ListenerIndex, string Rdns, FcrdnsResult Fcrdns, string Source, string SourceEndpoint, string DestEndpoint) : IImsgPayload<FilterBegin>
{
    public static ImsgType Type => ImsgType.FilterBegin;

    public static FilterBegin Read(ref ImsgReader reader) => new(
        reader.ReadU64(), reader.ReadI32(), reader.ReadRequiredString(), (FcrdnsResult)reader.ReadU8(),
        reader.ReadRequiredString(), reader.ReadRequiredString(), reader.ReadRequiredString());

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteU64(SessionId);
        writer.WriteI32(ListenerIndex);
        writer.WriteString(Rdns);
        writer.WriteU8((byte)Fcrdns);
        writer.WriteString(Source);
        writer.WriteString(SourceEndpoint);
        writer.WriteString(DestEndpoint);
    }
}

/// <summary>The filtered session ended (after its link-disconnect report).</summary>
internal readonly record struct FilterEnd(ulong SessionId) : IImsgPayload<FilterEnd>
{
    public static ImsgType Type => ImsgType.FilterEnd;

    public static FilterEnd Read(ref ImsgReader reader) => new(reader.ReadU64());

    public void Write(ref ImsgWriter writer) => writer.WriteU64(SessionId);
}

/// <summary>One phase of a filtered session, with its parameter, for the chain to decide.</summary>
internal readonly record struct FilterQuery(ulong ReqId, ulong SessionId, byte Phase, string Parameter) : IImsgPayload<FilterQuery>
{
    public static ImsgType Type => ImsgType.FilterQuery;

    public static FilterQuery Read(ref ImsgReader reader) => new(reader.ReadU64(), reader.ReadU64(), reader.ReadU8(), reader.ReadRequiredString());

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteU64(ReqId);
        writer.WriteU64(SessionId);
        writer.WriteU8(Phase);
        writer.WriteString(Parameter);
    }
}

/// <summary>The chain's decision and its parameter (new argument or SMTP reply; empty otherwise).</summary>
internal readonly record struct FilterQueryReply(ulong ReqId, byte Decision, string Parameter) : IImsgPayload<FilterQueryReply>
{
    public static ImsgType Type => ImsgType.FilterQueryReply;

    public static FilterQueryReply Read(ref ImsgReader reader) => new(reader.ReadU64(), reader.ReadU8(), reader.ReadRequiredString());

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteU64(ReqId);
        writer.WriteU8(Decision);
        writer.WriteString(Parameter);
    }
}

/// <summary>
/// A report event of a filtered session (smtpd-filters(7) "report|"): its time in microseconds
/// since the epoch, its name and its fields in protocol 0.7 order (the lka reorders for 0.6).
/// </summary>
internal readonly record struct FilterReport(ulong SessionId, long TimeMicroseconds, string Event, string[] Fields) : IImsgPayload<FilterReport>
{
    public static ImsgType Type => ImsgType.FilterReport;

    public static FilterReport Read(ref ImsgReader reader)
    {
        ulong sid = reader.ReadU64();
        long time = reader.ReadI64();
        string name = reader.ReadRequiredString();
        uint n = reader.ReadU32();
        if (n > 16)
        {
            throw new ImsgFormatException("too many report fields");
        }

        var fields = new string[n];
        for (int i = 0; i < n; i++)
        {
            fields[i] = reader.ReadRequiredString();
        }

        return new FilterReport(sid, time, name, fields);
    }

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteU64(SessionId);
        writer.WriteI64(TimeMicroseconds);
        writer.WriteString(Event);
        writer.WriteU32((uint)Fields.Length);
        foreach (string f in Fields)
        {
            writer.WriteString(f);
        }
    }
}

/// <summary>DATA of a filtered session: does its chain filter message lines? The reply carries the socket if so.</summary>
internal readonly record struct FilterDataBegin(ulong ReqId, ulong SessionId) : IImsgPayload<FilterDataBegin>
{
    public static ImsgType Type => ImsgType.FilterDataBegin;

    public static FilterDataBegin Read(ref ImsgReader reader) => new(reader.ReadU64(), reader.ReadU64());

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteU64(ReqId);
        writer.WriteU64(SessionId);
    }
}

/// <summary>Filtered: message lines go through the passed socket and come back filtered; else no descriptor.</summary>
internal readonly record struct FilterDataBeginReply(ulong ReqId, bool Filtered) : IImsgPayload<FilterDataBeginReply>
{
    public static ImsgType Type => ImsgType.FilterDataBeginReply;

    public static FilterDataBeginReply Read(ref ImsgReader reader) => new(reader.ReadU64(), reader.ReadBool());

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteU64(ReqId);
        writer.WriteBool(Filtered);
    }
}

/// <summary>Parent → lka: the stdin/stdout socket (FilterProcFork) or stderr socket (FilterProcStderr) of a started filter process.</summary>
internal readonly record struct FilterProcSocket(string Name) : IImsgLayout<FilterProcSocket>
{
    public static FilterProcSocket Read(ref ImsgReader reader) => new(reader.ReadRequiredString());

    public void Write(ref ImsgWriter writer) => writer.WriteString(Name);
}

/// <summary>Lka → parent: this filter process broke the protocol or stopped answering; kill and restart it.</summary>
internal readonly record struct FilterProcRestart(string Name, string Reason) : IImsgPayload<FilterProcRestart>
{
    public static ImsgType Type => ImsgType.FilterProcRestart;

    public static FilterProcRestart Read(ref ImsgReader reader) => new(reader.ReadRequiredString(), reader.ReadRequiredString());

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteString(Name);
        writer.WriteString(Reason);
    }
}
