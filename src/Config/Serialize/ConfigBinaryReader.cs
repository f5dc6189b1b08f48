// Reads what ConfigBinaryWriter wrote; any truncation or impossible value is a FormatException.
// Behaviour reference: usr.sbin/smtpd/mproc.c (m_get_* fail hard on malformed messages).
using System.Buffers.Binary;
using System.Text;

namespace Smtpd.Config;

internal ref struct ConfigBinaryReader
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    private readonly ReadOnlySpan<byte> _data;
    private int _pos;

    public ConfigBinaryReader(ReadOnlySpan<byte> data)
    {
        _data = data;
        _pos = 0;
    }

    public readonly int Remaining => _data.Length - _pos;

    public byte ReadByte() => Take(1)[0];

    public bool ReadBool() => ReadByte() switch
    {
        0 => false,
        1 => true,
        var b => throw new FormatException($"invalid boolean byte {b} in serialized configuration"),
    };

    public int ReadInt() => BinaryPrimitives.ReadInt32BigEndian(Take(4));

    public long ReadLong() => BinaryPrimitives.ReadInt64BigEndian(Take(8));

    public string? ReadString()
    {
        var length = ReadInt();
        if (length == -1)
        {
            return null;
        }
        if (length < 0)
        {
            throw new FormatException($"invalid string length {length} in serialized configuration");
        }
        try
        {
            return StrictUtf8.GetString(Take(length));
        }
        catch (DecoderFallbackException e)
        {
            throw new FormatException("invalid UTF-8 in serialized configuration", e);
        }
    }

    public string ReadRequiredString() => ReadString() ?? throw new FormatException("missing required string in serialized configuration");

    public int? ReadOptionalInt() => ReadBool() ? ReadInt() : null;

    public long? ReadOptionalLong() => ReadBool() ? ReadLong() : null;

    /// <summary>Reads an enumeration value stored as one byte, checking it is one the format defines.</summary>
    public int ReadEnum(int max, string what)
    {
        var value = ReadByte();
        if (value > max)
        {
            throw new FormatException($"invalid {what} value {value} in serialized configuration");
        }
        return value;
    }

    /// <summary>Reads a count, refusing one larger than the bytes left could hold, so a corrupt count
    /// cannot make the reader allocate without bound.</summary>
    public int ReadCount()
    {
        var count = ReadInt();
        if (count < 0 || count > Remaining)
        {
            throw new FormatException($"invalid element count {count} in serialized configuration");
        }
        return count;
    }

    private ReadOnlySpan<byte> Take(int length)
    {
        if (length > Remaining)
        {
            throw new FormatException("serialized configuration is truncated");
        }
        var slice = _data.Slice(_pos, length);
        _pos += length;
        return slice;
    }
}
