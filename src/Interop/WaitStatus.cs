// Decodes a waitpid status the way sys/wait.h's macros do, and words it like OpenSMTPD's
// parent ("exited okay", "exited abnormally", "terminated; signal N").
namespace Smtpd.Interop;

internal readonly record struct WaitStatus(int Raw)
{
    public bool Exited => (Raw & 0x7f) == 0;

    public int ExitCode => (Raw >> 8) & 0xff;

    public bool Signaled => (Raw & 0x7f) != 0 && (Raw & 0x7f) != 0x7f;

    public int TermSignal => Raw & 0x7f;

    public bool Success => Exited && ExitCode == 0;

    public string Describe() =>
        Signaled ? "terminated; signal " + TermSignal.ToString(System.Globalization.CultureInfo.InvariantCulture)
        : ExitCode == 0 ? "exited okay"
        : "exited abnormally";
}
