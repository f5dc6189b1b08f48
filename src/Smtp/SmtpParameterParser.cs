// The ESMTP parameters after a MAIL FROM or RCPT TO path. Parameters are separated by single
// spaces (empty fields skipped); keywords compare case-insensitively; anything not understood is
// refused with OpenSMTPD's reply, the DSN keywords too when the listener has no-dsn.
// Behaviour reference: usr.sbin/smtpd/smtp_session.c (smtp_tx_mail_from, smtp_tx_rcpt_to)
using Smtpd.Mime;

namespace Smtpd.Smtp;

internal static class SmtpParameterParser
{
    /// <summary>DSN_ENVID_LEN.</summary>
    public const int MaxEnvIdLength = 100;

    /// <summary>DSN_ORCPT_LEN.</summary>
    public const int MaxOrcptLength = 500;

    /// <remarks>
    /// <code>
    /// Mail-parameters = esmtp-param *(SP esmtp-param)
    /// esmtp-param     = "AUTH=" *CHAR / "SIZE=" *CHAR / "BODY=7BIT" / "BODY=8BITMIME"
    ///                 / "RET=" *CHAR / "ENVID=" 0*100CHAR      ; RET and ENVID only with DSN
    /// </code>
    /// RET= values other than FULL and HDRS are ignored, as OpenSMTPD does.
    /// </remarks>
    public static bool TryParseMailFrom(string text, bool dsn, out MailFromParameters parameters, out string? error)
    {
        var body = MailBody.Unspecified;
        var ret = DsnRet.None;
        string envId = string.Empty;
        parameters = MailFromParameters.Empty;
        error = null;
        foreach (string opt in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (HasPrefix(opt, "AUTH=") || HasPrefix(opt, "SIZE="))
            {
                continue;
            }

            if (opt.Equals("BODY=7BIT", StringComparison.OrdinalIgnoreCase))
            {
                body = MailBody.SevenBit;
            }
            else if (opt.Equals("BODY=8BITMIME", StringComparison.OrdinalIgnoreCase))
            {
                body = MailBody.EightBitMime;
            }
            else if (dsn && HasPrefix(opt, "RET="))
            {
                string value = opt[4..];
                if (value.Equals("HDRS", StringComparison.OrdinalIgnoreCase))
                {
                    ret = DsnRet.Headers;
                }
                else if (value.Equals("FULL", StringComparison.OrdinalIgnoreCase))
                {
                    ret = DsnRet.Full;
                }
            }
            else if (dsn && HasPrefix(opt, "ENVID="))
            {
                envId = opt[6..];
                if (envId.Length > MaxEnvIdLength)
                {
                    error = "503 " + ArgumentsError + ": option too large, truncated: " + envId;
                    return false;
                }
            }
            else
            {
                error = "503 " + ArgumentsError + ": Unsupported option " + opt;
                return false;
            }
        }

        parameters = new MailFromParameters(body, ret, envId);
        return true;
    }

    /// <remarks>
    /// <code>
    /// Rcpt-parameters = esmtp-param *(SP esmtp-param)            ; only with DSN
    /// esmtp-param     = "NOTIFY=" notify-list / "ORCPT=" addr-type ";" xtext
    /// notify-list     = "NEVER" / 1#( "SUCCESS" / "FAILURE" / "DELAY" )   ; unknown words ignored
    /// </code>
    /// NOTIFY applies to its own recipient. OpenSMTPD ORs it into the transaction's envelope
    /// template, so one recipient's NOTIFY leaks into the next and NEVER on one refuses SUCCESS on
    /// a later one; we do not copy that.
    /// </remarks>
    public static bool TryParseRcptTo(string text, bool dsn, out RcptToParameters parameters, out string? error)
    {
        var notify = DsnNotify.None;
        string orcpt = string.Empty;
        parameters = RcptToParameters.Empty;
        error = null;
        foreach (string opt in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (dsn && HasPrefix(opt, "NOTIFY="))
            {
                foreach (string word in opt[7..].Split(','))
                {
                    notify |= word.ToUpperInvariant() switch
                    {
                        "SUCCESS" => DsnNotify.Success,
                        "FAILURE" => DsnNotify.Failure,
                        "DELAY" => DsnNotify.Delay,
                        "NEVER" => DsnNotify.Never,
                        _ => DsnNotify.None,
                    };
                }

                if (notify.HasFlag(DsnNotify.Never) && (notify & ~DsnNotify.Never) != 0)
                {
                    error = "553 NOTIFY option NEVER cannot be combined with other options";
                    return false;
                }
            }
            else if (dsn && HasPrefix(opt, "ORCPT="))
            {
                orcpt = opt[6..];
                int semi = orcpt.IndexOf(';', StringComparison.Ordinal);
                if (semi < 0 || !MailAddressParser.IsValidXtext(orcpt.AsSpan(semi + 1)) || orcpt.Length > MaxOrcptLength)
                {
                    error = "553 ORCPT address syntax error";
                    return false;
                }
            }
            else
            {
                error = "503 Unsupported option " + opt;
                return false;
            }
        }

        parameters = new RcptToParameters(notify, orcpt);
        return true;
    }

    private static string ArgumentsError { get; } = EnhancedStatus.ReplyText(EnhancedStatusClass.PermFail, EnhancedStatusCode.InvalidCommandArguments);

    private static bool HasPrefix(string opt, string keyword) => opt.StartsWith(keyword, StringComparison.OrdinalIgnoreCase);
}
