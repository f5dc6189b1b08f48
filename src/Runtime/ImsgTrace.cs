// `-T imsg`: one line per message a process receives, worded like OpenSMTPD's imsg_dispatch
// trace ("imsg: queue <- dispatcher: IMSG_... (len=N)").
using System.Text;
using Smtpd.Ipc;

namespace Smtpd.Runtime;

internal static class ImsgTrace
{
    public static void Received(ProcRole to, ProcRole from, Imsg msg)
    {
        if (Log.Tracing(TraceFlags.Imsg))
        {
            Log.Trace(TraceFlags.Imsg, $"imsg: {to.Name()} <- {from.Name()}: {Name(msg.Type)} (len={msg.Payload.Length})");
        }
    }

    /// <summary>The C-style name of a message type: SetupPeer → IMSG_SETUP_PEER.</summary>
    public static string Name(ImsgType type)
    {
        string pascal = type.ToString();
        var sb = new StringBuilder("IMSG");
        foreach (char c in pascal)
        {
            if (char.IsUpper(c))
            {
                sb.Append('_');
            }

            sb.Append(char.ToUpperInvariant(c));
        }

        return sb.ToString();
    }
}
