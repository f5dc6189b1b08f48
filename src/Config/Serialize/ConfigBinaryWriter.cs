// Appends the primitive values of the serialized configuration: big-endian integers and
// length-prefixed UTF-8 strings.
// Behaviour reference: usr.sbin/smtpd/config.c and mproc.c (the parent sends the configuration to children).
using System.Buffers.Binary;
using System.Text;

namespace Smtpd.Config;

internal sealed class ConfigBinaryWriter
{
    private readonly List<byte> _bytes = [];

    public byte[] ToArray() => [.. _bytes];

    public void WriteByte(byte value) => _bytes.Add(value);

    public void WriteBool(bool value) => _bytes.Add(value ? (byte)1 : (byte)0);

    public void WriteInt(int value)
    {
        Span<byte> buf = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(buf, value);
        _bytes.AddRange(buf);
    }

    public void WriteLong(long value)
    {
        Span<byte> buf = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(buf, value);
        _bytes.AddRange(buf);
    }

    /// <summary>Length -1 stands for null, so optional strings need no separate flag.</summary>
    public void WriteString(string? value)
    {
        if (value is null)
        {
            WriteInt(-1);
            return;
        }
        var bytes = Encoding.UTF8.GetBytes(value);
        WriteInt(bytes.Length);
        _bytes.AddRange(bytes);
    }

    public void WriteOptionalInt(int? value)
    {
        WriteBool(value.HasValue);
        if (value.HasValue)
        {
            WriteInt(value.Value);
        }
    }

    public void WriteOptionalLong(long? value)
    {
        WriteBool(value.HasValue);
        if (value.HasValue)
        {
            WriteLong(value.Value);
        }
    }

    public void WriteList<T>(IReadOnlyList<T> items, Action<ConfigBinaryWriter, T> write)
    {
        WriteInt(items.Count);
        foreach (var item in items)
        {
            write(this, item);
        }
    }
}
