// The parent's view of one role it started: pid and the channel to it.
using Smtpd.Ipc;

namespace Smtpd.Runtime;

internal sealed record ChildProcess(ProcRole Role, int Pid, ImsgChannel Channel);
