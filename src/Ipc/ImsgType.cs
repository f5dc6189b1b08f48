// Every message kind that crosses a process boundary, in OpenSMTPD's grouping
// (smtpd.h enum imsg_type). Values are frozen by ImsgTypeStabilityTests: append, never renumber;
// bump ImsgVersion.Current whenever a payload layout changes.
namespace Smtpd.Ipc;

internal enum ImsgType : uint
{
    None = 0,

    // Setup: parent → every role, before privileges are dropped (IMSG_SETUP_*).
    SetupSettings = 1,
    SetupConfig = 2,
    SetupPeer = 3,
    SetupDone = 4,
    SetupListener = 5,

    // Control and verbosity (IMSG_CTL_*).
    CtlOk = 20,
    CtlVerbose = 22,
    CtlShowStatus = 23,
    CtlShutdown = 24,

    // Liveness and the IPC benchmark.
    Ping = 90,
    Pong = 91,
}
