// The fuzz program runs where smtpd runs.
[assembly: System.Runtime.Versioning.SupportedOSPlatform("linux")]
