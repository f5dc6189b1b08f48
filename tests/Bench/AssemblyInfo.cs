// smtpd is a Linux daemon: every libc call and file mode assumes it.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
