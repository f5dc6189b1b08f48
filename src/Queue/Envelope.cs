// One recipient's delivery job as the queue persists it: the fields of OpenSMTPD's struct
// envelope that reach the disk. The id is not stored in the file; it is the file's name.
// Behaviour reference: usr.sbin/smtpd/smtpd.h (struct envelope), envelope.c.
using Smtpd.Mime;

namespace Smtpd.Queue;

internal sealed class Envelope
{
    public EvpId Id { get; set; }

    /// <summary>Always EnvelopeFormat.Version once loaded; kept for the scheduler's checks.</summary>
    public uint Version { get; set; } = EnvelopeFormat.Version;

    public string Dispatcher { get; set; } = string.Empty;

    public string Tag { get; set; } = string.Empty;

    public EnvelopeType Type { get; set; }

    public string SmtpName { get; set; } = string.Empty;

    public string Helo { get; set; } = string.Empty;

    public string Hostname { get; set; } = string.Empty;

    public string Username { get; set; } = string.Empty;

    public string ErrorLine { get; set; } = string.Empty;

    /// <summary>The client address as stored: "" (unknown), "local", dotted IPv4, or "[IPv6]".</summary>
    public string SockAddr { get; set; } = string.Empty;

    public MailAddr Sender { get; set; } = MailAddr.Empty;

    public MailAddr Rcpt { get; set; } = MailAddr.Empty;

    public MailAddr Dest { get; set; } = MailAddr.Empty;

    /// <summary>Creation time, seconds since the epoch ("ctime").</summary>
    public long CreationTime { get; set; }

    public long LastTry { get; set; }

    public long LastBounce { get; set; }

    /// <summary>Seconds after creation when the envelope expires.</summary>
    public long Ttl { get; set; }

    public ushort Retry { get; set; }

    public EnvelopeFlags Flags { get; set; }

    public DsnNotify DsnNotify { get; set; }

    public DsnRet DsnRet { get; set; }

    public string DsnEnvId { get; set; } = string.Empty;

    public string DsnOrcpt { get; set; } = string.Empty;

    /// <summary>RFC 3463 class of the last error; 0 means none, and then EscCode is not stored.</summary>
    public byte EscClass { get; set; }

    public byte EscCode { get; set; }

    public string MdaExec { get; set; } = string.Empty;

    public string MdaSubaddress { get; set; } = string.Empty;

    public string MdaUser { get; set; } = string.Empty;

    public BounceType BounceType { get; set; }

    /// <summary>Only stored for delayed-delivery warnings.</summary>
    public long BounceDelay { get; set; }

    /// <summary>Only stored for delayed-delivery warnings.</summary>
    public long BounceTtl { get; set; }

    /// <summary>
    /// A bounce of relayed mail: the host whose reply failed it, for the report's Remote-MTA.
    /// Stored as "remote-mta" (OpenSMTPD's envelopes have no such key; its reports name no host).
    /// </summary>
    public string RemoteMta { get; set; } = string.Empty;

    public Envelope Clone() => (Envelope)MemberwiseClone();
}
