// Reads a payload field by field (OpenSMTPD's m_get_*); End() insists nothing is left over,
// as m_end does. Any shortfall or leftover is an ImsgFormatException: fatal for the role.
using System.Buffers.Binary;
using System.Diagnostics.CodeAnalysis;
using System.Text;

namespace Smtpd.Ipc;

internal ref struct ImsgReader
{
    private ReadOnlySpan<byte> _data;

    public ImsgReader(ReadOnlySpan<byte> data) => _data = data;

    public readonly int Remaining => _data.Length;

    public byte ReadU8() => Take(1)[0];

    public bool ReadBool() => ReadU8() switch
    {
        0 => false,
        1 => true,
        _ => Throw<bool>("bad boolean"),
    };

    public uint ReadU32() => BinaryPrimitives.ReadUInt32LittleEndian(Take(4));

    public int ReadI32() => (int)ReadU32();

    public ulong ReadU64() => BinaryPrimitives.ReadUInt64LittleEndian(Take(8));

    public long ReadI64() => (long)ReadU64();

    public string? ReadString()
    {
        uint n = ReadU32();
        if (n == uint.MaxValue)
        {
            return null;
        }

        return Encoding.UTF8.GetString(Take(checked((int)Math.Min(n, int.MaxValue))));
    }

    public string ReadRequiredString() => ReadString() ?? Throw<string>("unexpected null string");

    public ReadOnlySpan<byte> ReadBytes() => Take((int)Math.Min(ReadU32(), int.MaxValue));

    public readonly void End()
    {
        if (_data.Length != 0)
        {
            Throw<int>($"{_data.Length} trailing bytes");
        }
    }

    private ReadOnlySpan<byte> Take(int n)
    {
        if (n > _data.Length)
        {
            Throw<int>("message too short");
        }

        var s = _data[..n];
        _data = _data[n..];
        return s;
    }

    [DoesNotReturn]
    private static T Throw<T>(string why) => throw new ImsgFormatException(why);
}
