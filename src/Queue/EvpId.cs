// An envelope id: the message id in the high 32 bits, 32 random non-zero bits below, printed as 16
// lowercase hex digits (the envelope's file name). Behaviour reference: usr.sbin/smtpd/queue_backend.c.
using System.Globalization;
using Smtpd.Interop;

namespace Smtpd.Queue;

internal readonly record struct EvpId(ulong Value)
{
    public MsgId MsgId => new((uint)(Value >> 32));

    /// <summary>A fresh id inside <paramref name="msgid"/>; the low half is never zero, so it never names the whole message.</summary>
    public static EvpId NewRandom(MsgId msgid)
    {
        uint low;
        do
        {
            low = Posix.RandomUInt32();
        }
        while (low == 0);

        return new EvpId(((ulong)msgid.Value << 32) | low);
    }

    /// <summary>The id whose low half is zero: "every envelope of this message" in smtpctl's terms.</summary>
    public static EvpId FromMsgId(MsgId msgid) => new((ulong)msgid.Value << 32);

    /// <summary>Parses exactly 16 hex digits (either case).</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out EvpId id)
    {
        id = default;
        if (text.Length != 16 || !QueueHex.IsHex(text))
        {
            return false;
        }

        id = new EvpId(ulong.Parse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
        return true;
    }

    public override string ToString() => Value.ToString("x16", CultureInfo.InvariantCulture);
}
