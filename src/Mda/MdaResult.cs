// Outcome of one local delivery, with the words OpenSMTPD's delivery log uses
// ("result=Ok stat=Delivered", "result=TempFail stat=Error (reason)", "result=PermFail
// stat=Loop detected") and the exit status a delivery helper process reports it with
// (smtpd.conf(5) "MDA COMMANDS": 0 ok, 71/75 temporary). Reason is what the queue keeps and the
// bounce quotes; SysError, the sysexits(3) meaning of a program's exit status, shows in the log only.
// Behaviour reference: usr.sbin/smtpd/mda.c (mda_imsg IMSG_MDA_DONE, mda_log)
namespace Smtpd.Mda;

internal readonly record struct MdaResult(MdaResultKind Kind, string Reason, string SysError = "")
{
    public const int ExitOk = 0;
    public const int ExitOsErr = SysExits.OsErr;
    public const int ExitTempFail = SysExits.TempFail;
    public const int ExitPermFail = 1;

    public static MdaResult Ok { get; } = new(MdaResultKind.Ok, "Delivered");

    public static MdaResult TempFail(string reason) => new(MdaResultKind.TempFail, reason);

    public static MdaResult PermFail(string reason) => new(MdaResultKind.PermFail, reason);

    /// <summary>The message already carries a Delivered-To line for this destination.</summary>
    public static MdaResult Loop { get; } = new(MdaResultKind.Loop, "Loop detected");

    public bool IsOk => Kind == MdaResultKind.Ok;

    /// <summary>The result= word of the log line.</summary>
    public string LogResult => Kind switch
    {
        MdaResultKind.Ok => "Ok",
        MdaResultKind.TempFail => "TempFail",
        _ => "PermFail",
    };

    /// <summary>The stat= text of the log line: "Delivered", "Loop detected", or "Error ([sysexit meaning: ]reason)".</summary>
    public string LogStat => Kind switch
    {
        MdaResultKind.Ok => "Delivered",
        MdaResultKind.Loop => Reason,
        _ => "Error (" + (SysError.Length > 0 ? SysError + ": " : string.Empty) + Reason + ")",
    };

    /// <summary>The exit status a delivery helper ends with for this result.</summary>
    public int ExitCode => Kind switch
    {
        MdaResultKind.Ok => ExitOk,
        MdaResultKind.TempFail => ExitTempFail,
        _ => ExitPermFail,
    };

    /// <summary>Reads a helper's or mda command's exit status back: 0 ok, 71 and 75 temporary, anything else permanent.</summary>
    public static MdaResult FromExitCode(int status, string reason) => status switch
    {
        ExitOk => Ok,
        ExitOsErr or ExitTempFail => TempFail(reason),
        _ => PermFail(reason),
    };
}
