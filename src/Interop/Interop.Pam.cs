// Linux-PAM (<security/pam_appl.h>): start a transaction for a service and user, authenticate
// through a conversation function that answers the password prompt, check the account, end.
// Constants from Linux-PAM's _pam_types.h; libpam0g-dev is not needed to build.
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

internal static unsafe partial class LibPam
{
    internal const int PAM_SUCCESS = 0;
    internal const int PAM_SYSTEM_ERR = 4;
    internal const int PAM_BUF_ERR = 5;
    internal const int PAM_AUTHINFO_UNAVAIL = 9;
    internal const int PAM_CONV_ERR = 19;
    internal const int PAM_ABORT = 26;

    /// <summary>pam_authenticate flag: an account with an empty password is refused (pam_unix's nullok notwithstanding).</summary>
    internal const int PAM_DISALLOW_NULL_AUTHTOK = 0x0001;

    internal const int PAM_PROMPT_ECHO_OFF = 1;
    internal const int PAM_PROMPT_ECHO_ON = 2;

    [StructLayout(LayoutKind.Sequential)]
    internal struct PamMessage
    {
        public int MsgStyle;
        public byte* Msg;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct PamResponse
    {
        public byte* Resp;
        public int RespRetcode;
    }

    [StructLayout(LayoutKind.Sequential)]
    internal struct PamConv
    {
        public delegate* unmanaged<int, PamMessage**, PamResponse**, void*, int> Conv;
        public void* AppdataPtr;
    }

    [LibraryImport(Name, EntryPoint = "pam_start")]
    internal static partial int Start(byte* serviceName, byte* user, PamConv* conversation, void** pamh);

    [LibraryImport(Name, EntryPoint = "pam_authenticate")]
    internal static partial int Authenticate(void* pamh, int flags);

    [LibraryImport(Name, EntryPoint = "pam_acct_mgmt")]
    internal static partial int AcctMgmt(void* pamh, int flags);

    [LibraryImport(Name, EntryPoint = "pam_end")]
    internal static partial int End(void* pamh, int status);
}
