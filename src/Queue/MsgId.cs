// A message id: 32 random bits, never zero, printed as 8 lowercase hex digits (the name of the
// message's directory in the spool). Behaviour reference: usr.sbin/smtpd/queue_backend.c.
using System.Globalization;
using Smtpd.Interop;

namespace Smtpd.Queue;

internal readonly record struct MsgId(uint Value)
{
    /// <summary>The bucket directory the message lives in: its top byte as two hex digits.</summary>
    public string Bucket => (Value >> 24).ToString("x2", CultureInfo.InvariantCulture);

    /// <summary>A fresh random id; zero is reserved to mean "no message".</summary>
    public static MsgId NewRandom()
    {
        uint v;
        do
        {
            v = Posix.RandomUInt32();
        }
        while (v == 0);

        return new MsgId(v);
    }

    /// <summary>Parses exactly 8 hex digits (either case), as smtpctl and spool names spell them.</summary>
    public static bool TryParse(ReadOnlySpan<char> text, out MsgId id)
    {
        id = default;
        if (text.Length != 8 || !QueueHex.IsHex(text))
        {
            return false;
        }

        id = new MsgId(uint.Parse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture));
        return true;
    }

    public override string ToString() => Value.ToString("x8", CultureInfo.InvariantCulture);
}
