// Builds a payload field by field (OpenSMTPD's m_add_*). Integers are little-endian; strings
// are a u32 byte count then UTF-8, with 0xFFFFFFFF meaning null.
using System.Buffers;
using System.Buffers.Binary;
using System.Text;

namespace Smtpd.Ipc;

internal ref struct ImsgWriter
{
    private readonly ArrayBufferWriter<byte> _out;

    public ImsgWriter(ArrayBufferWriter<byte> output) => _out = output;

    public readonly void WriteU8(byte value)
    {
        _out.GetSpan(1)[0] = value;
        _out.Advance(1);
    }

    public readonly void WriteBool(bool value) => WriteU8(value ? (byte)1 : (byte)0);

    public readonly void WriteU32(uint value)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(_out.GetSpan(4), value);
        _out.Advance(4);
    }

    public readonly void WriteI32(int value) => WriteU32((uint)value);

    public readonly void WriteU64(ulong value)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(_out.GetSpan(8), value);
        _out.Advance(8);
    }

    public readonly void WriteI64(long value) => WriteU64((ulong)value);

    public readonly void WriteString(string? value)
    {
        if (value is null)
        {
            WriteU32(uint.MaxValue);
            return;
        }

        int n = Encoding.UTF8.GetByteCount(value);
        WriteU32((uint)n);
        Encoding.UTF8.GetBytes(value, _out.GetSpan(n));
        _out.Advance(n);
    }

    public readonly void WriteBytes(ReadOnlySpan<byte> value)
    {
        WriteU32((uint)value.Length);
        _out.Write(value);
    }
}
