// The envelope file: ASCII "key: value" lines, one per non-empty field, in OpenSMTPD's fixed
// order, version 3. Dumping refuses any value that cannot be read back as written: above all a
// CR, LF or NUL, because a newline inside a value would let data become a new key
// (CVE-2020-8794 turned an SMTP error line into an mda-exec command that way).
// Behaviour reference: usr.sbin/smtpd/envelope.c, to.c.
using System.Buffers;
using System.Globalization;
using System.Text;
using Smtpd.Mime;

namespace Smtpd.Queue;

internal static partial class EnvelopeFormat
{
    /// <summary>SMTPD_ENVELOPE_VERSION: the only version OpenSMTPD 7 (and we) read or write.</summary>
    public const uint Version = 3;

    /// <summary>
    /// The largest file we write. OpenSMTPD copies the file into a buffer of sizeof(struct envelope)
    /// (7560 bytes with Linux's HOST_NAME_MAX) and refuses what does not fit with its NUL, so a
    /// larger dump would be a spool OpenSMTPD cannot take over.
    /// </summary>
    public const int MaxDumpSize = 7559;

    /// <summary>The largest file we read: room for OpenBSD's longer host names, and a bound on memory.</summary>
    public const int MaxLoadSize = 16383;

    // Longest values in bytes: the C buffers' sizes less the NUL. Host-name fields follow OpenBSD's
    // HOST_NAME_MAX (255), which also covers spools from Linux builds (64).
    internal const int HostNameMax = 255;
    internal const int TagMax = 32;
    internal const int UsernameMax = 255;
    internal const int LineMax = 2047;
    internal const int LocalPartMax = 255;
    internal const int DomainPartMax = 255;
    internal const int MailAddrTextMax = 2047;
    internal const int VUserMax = 255;
    internal const int SubaddressMax = 255;
    internal const int DsnOrcptMax = 500;
    internal const int DsnEnvIdMax = 100;

    /// <summary>Serializes <paramref name="e"/>; false with a reason when a value cannot be stored faithfully.</summary>
    public static bool TryDump(Envelope e, out byte[] bytes, out string error)
    {
        bytes = [];
        var w = new Writer();
        w.Number("version", Version);
        w.Text("dispatcher", e.Dispatcher, HostNameMax);
        w.Text("tag", e.Tag, TagMax);
        w.Raw("type", TypeName(e.Type));
        w.Text("smtpname", e.SmtpName, HostNameMax);
        w.Text("helo", e.Helo, HostNameMax);
        w.Text("hostname", e.Hostname, HostNameMax);
        w.Text("username", e.Username, UsernameMax);
        w.Text("errorline", e.ErrorLine, LineMax);
        if (e.SockAddr.Length != 0 && !EnvelopeSockAddr.IsValid(e.SockAddr))
        {
            w.Fail("sockaddr", "not a stored address form");
        }

        w.Text("sockaddr", e.SockAddr, LineMax);
        w.Address("sender", e.Sender);
        w.Address("rcpt", e.Rcpt);
        w.Address("dest", e.Dest);
        w.Number("ctime", e.CreationTime);
        w.Number("last-try", e.LastTry);
        w.Number("last-bounce", e.LastBounce);
        w.Number("ttl", e.Ttl);
        w.Number("retry", e.Retry);
        w.Raw("flags", FlagsText(e.Flags));
        w.Number("dsn-notify", (byte)e.DsnNotify);
        w.Raw("dsn-ret", e.DsnRet switch { DsnRet.Full => "FULL", DsnRet.Headers => "HDRS", _ => string.Empty });
        if (!Enum.IsDefined(e.DsnRet))
        {
            w.Fail("dsn-ret", "unknown value");
        }

        w.Text("dsn-envid", e.DsnEnvId, DsnEnvIdMax);
        w.Text("dsn-orcpt", e.DsnOrcpt, DsnOrcptMax);

        // The code is meaningful only with a class, so both are omitted when the class is 0.
        if (e.EscClass != 0)
        {
            w.Number("esc-class", e.EscClass);
            w.Number("esc-code", e.EscCode);
        }

        switch (e.Type)
        {
            case EnvelopeType.Mda:
                w.Text("mda-exec", e.MdaExec, LineMax);
                w.Text("mda-subaddress", e.MdaSubaddress, SubaddressMax);
                w.Text("mda-user", e.MdaUser, VUserMax);
                break;
            case EnvelopeType.Mta:
                break;
            case EnvelopeType.Bounce:
                if (e.BounceType == BounceType.Delayed)
                {
                    w.Number("bounce-ttl", e.BounceTtl);
                    w.Number("bounce-delay", e.BounceDelay);
                }

                w.Raw("bounce-type", e.BounceType switch
                {
                    BounceType.Failed => "failed",
                    BounceType.Delayed => "delayed",
                    BounceType.Delivered => "delivered",
                    _ => string.Empty,
                });
                // Relayed is a report wording, never a bounce envelope's type (OpenSMTPD has no such envelope).
                if (e.BounceType is not (BounceType.Failed or BounceType.Delayed or BounceType.Delivered))
                {
                    w.Fail("bounce-type", "unknown bounce type");
                }

                w.Text("remote-mta", e.RemoteMta, HostNameMax);

                break;
            default:
                w.Fail("type", "unknown delivery type");
                break;
        }

        if (w.Error is not null)
        {
            error = w.Error;
            return false;
        }

        bytes = w.ToArray();
        if (bytes.Length > MaxDumpSize)
        {
            bytes = [];
            error = "envelope too large";
            return false;
        }

        error = string.Empty;
        return true;
    }

    /// <summary>The checks OpenSMTPD makes after loading (envelope_validate), except the dispatcher, which needs the config.</summary>
    public static string? Validate(Envelope e) =>
        e.Version != Version ? "version mismatch"
        : e.Helo.Length == 0 ? "empty helo"
        : e.Hostname.Length == 0 ? "empty hostname"
        : null;

    private static string TypeName(EnvelopeType type) => type switch
    {
        EnvelopeType.Mda => "mda",
        EnvelopeType.Mta => "mta",
        EnvelopeType.Bounce => "bounce",
        _ => string.Empty,
    };

    private static string FlagsText(EnvelopeFlags flags)
    {
        var parts = new List<string>(3);
        if ((flags & EnvelopeFlags.Authenticated) != 0)
        {
            parts.Add("authenticated");
        }

        if ((flags & EnvelopeFlags.Bounce) != 0)
        {
            parts.Add("bounce");
        }

        if ((flags & EnvelopeFlags.Internal) != 0)
        {
            parts.Add("internal");
        }

        return string.Join(' ', parts);
    }

    /// <summary>Builds the file, remembering the first refused field instead of throwing.</summary>
    private sealed class Writer
    {
        private readonly ArrayBufferWriter<byte> _out = new(1024);

        public string? Error { get; private set; }

        public void Fail(string key, string why) => Error ??= key + ": " + why;

        public void Number(string key, long value) => Line(key, Encoding.ASCII.GetBytes(value.ToString(CultureInfo.InvariantCulture)));

        public void Raw(string key, string value) => Line(key, Encoding.ASCII.GetBytes(value));

        public void Text(string key, string value, int max)
        {
            byte[] b = Encoding.UTF8.GetBytes(value);
            if (b.Length > max)
            {
                Fail(key, "value too long");
                return;
            }

            if (EnvelopeText.FindUnsafe(b) is string why)
            {
                Fail(key, why);
                return;
            }

            Line(key, b);
        }

        public void Address(string key, MailAddr a)
        {
            // The reader splits at the last '@', so an '@' in the domain would move the split.
            if (a.Domain.Contains('@', StringComparison.Ordinal))
            {
                Fail(key, "'@' in domain");
                return;
            }

            if (Encoding.UTF8.GetByteCount(a.User) > LocalPartMax || Encoding.UTF8.GetByteCount(a.Domain) > DomainPartMax)
            {
                Fail(key, "address part too long");
                return;
            }

            Text(key, a.ToString(), MailAddrTextMax);
        }

        public byte[] ToArray() => _out.WrittenSpan.ToArray();

        // Empty values are not written at all, exactly like OpenSMTPD; the reader defaults them.
        private void Line(string key, byte[] value)
        {
            if (value.Length == 0 || Error is not null)
            {
                return;
            }

            _out.Write(Encoding.ASCII.GetBytes(key));
            _out.Write(": "u8);
            _out.Write(value);
            _out.Write("\n"u8);
        }
    }
}
