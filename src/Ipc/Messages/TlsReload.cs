// Certificate reload on SIGHUP: the parent (still root, outside any chroot) reads every pki's
// files again and sends the keys to the crypto role, then, once it has them, the certificates to
// the dispatcher. Each reload is a generation: new handshakes use the new pair, handshakes under
// way finish with the old one, which the crypto role keeps.
namespace Smtpd.Ipc.Messages;

/// <summary>One pki's PEM text (a key for the crypto role, a certificate chain for the dispatcher).</summary>
internal readonly record struct PkiPem(string Name, byte[] Pem);

internal static class PkiPemList
{
    public static void Write(ref ImsgWriter writer, uint generation, IReadOnlyList<PkiPem> entries)
    {
        writer.WriteU32(generation);
        writer.WriteU32((uint)entries.Count);
        foreach (var e in entries)
        {
            writer.WriteString(e.Name);
            writer.WriteBytes(e.Pem);
        }
    }

    public static (uint Generation, PkiPem[] Entries) Read(ref ImsgReader reader)
    {
        uint generation = reader.ReadU32();
        uint count = reader.ReadU32();
        if (count > 4096)
        {
            throw new ImsgFormatException($"{count} pki entries");
        }

        var entries = new PkiPem[count];
        for (int i = 0; i < count; i++)
        {
            entries[i] = new PkiPem(reader.ReadRequiredString(), reader.ReadBytes().ToArray());
        }

        return (generation, entries);
    }
}

/// <summary>Parent → crypto role: the keys of generation <paramref name="Generation"/>.</summary>
internal readonly record struct TlsReloadKeys(uint Generation, PkiPem[] Entries) : IImsgPayload<TlsReloadKeys>
{
    public static ImsgType Type => ImsgType.TlsReloadKeys;

    public static TlsReloadKeys Read(ref ImsgReader reader)
    {
        var (g, e) = PkiPemList.Read(ref reader);
        return new(g, e);
    }

    public void Write(ref ImsgWriter writer) => PkiPemList.Write(ref writer, Generation, Entries);

    // Key material stays out of traces.
    public override string ToString() => $"TlsReloadKeys {{ Generation = {Generation}, Keys = {Entries.Length} }}";
}

/// <summary>Crypto role → parent: the keys are loaded (or why not).</summary>
internal readonly record struct TlsReloadKeysDone(uint Generation, string? Error) : IImsgPayload<TlsReloadKeysDone>
{
    public static ImsgType Type => ImsgType.TlsReloadKeysDone;

    public static TlsReloadKeysDone Read(ref ImsgReader reader) => new(reader.ReadU32(), reader.ReadString());

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteU32(Generation);
        writer.WriteString(Error);
    }
}

/// <summary>Parent → dispatcher: the certificate chains of generation <paramref name="Generation"/>.</summary>
internal readonly record struct TlsReloadCerts(uint Generation, PkiPem[] Entries) : IImsgPayload<TlsReloadCerts>
{
    public static ImsgType Type => ImsgType.TlsReloadCerts;

    public static TlsReloadCerts Read(ref ImsgReader reader)
    {
        var (g, e) = PkiPemList.Read(ref reader);
        return new(g, e);
    }

    public void Write(ref ImsgWriter writer) => PkiPemList.Write(ref writer, Generation, Entries);

    public override string ToString() => $"TlsReloadCerts {{ Generation = {Generation}, Certificates = {Entries.Length} }}";
}
