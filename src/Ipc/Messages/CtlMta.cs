// smtpctl's questions to the mta (control relays them to the dispatcher and the answers back):
// show hosts, relays, routes or hoststats, answered by batches of text lines, the last batch
// marked; and resume route, answered with CtlOk. Values of CtlMtaShowKind are wire format.
// Behaviour reference: usr.sbin/smtpd/control.c, mta.c (IMSG_CTL_MTA_SHOW_*, IMSG_CTL_RESUME_ROUTE).
namespace Smtpd.Ipc.Messages;

internal enum CtlMtaShowKind : byte
{
    Hosts = 0,
    Relays = 1,
    Routes = 2,
    HostStats = 3,
}

/// <summary>Which listing smtpctl wants.</summary>
internal readonly record struct CtlMtaShow(CtlMtaShowKind Kind) : IImsgPayload<CtlMtaShow>
{
    public static ImsgType Type => ImsgType.CtlMtaShow;

    public static CtlMtaShow Read(ref ImsgReader reader) => new((CtlMtaShowKind)reader.ReadU8());

    public void Write(ref ImsgWriter writer) => writer.WriteU8((byte)Kind);
}

/// <summary>Lines of a listing, each ending in a newline; Last marks the end.</summary>
internal readonly record struct CtlMtaShowLines(bool Last, string Text) : IImsgPayload<CtlMtaShowLines>
{
    public static ImsgType Type => ImsgType.CtlMtaShowLines;

    public static CtlMtaShowLines Read(ref ImsgReader reader) => new(reader.ReadBool(), reader.ReadRequiredString());

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteBool(Last);
        writer.WriteString(Text);
    }
}

/// <summary>The route to enable again; 0 for every route.</summary>
internal readonly record struct CtlResumeRoute(ulong RouteId) : IImsgPayload<CtlResumeRoute>
{
    public static ImsgType Type => ImsgType.CtlResumeRoute;

    public static CtlResumeRoute Read(ref ImsgReader reader) => new(reader.ReadU64());

    public void Write(ref ImsgWriter writer) => writer.WriteU64(RouteId);
}
