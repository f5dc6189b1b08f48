// Dispatcher ↔ lookup agent for `listen on ... fingerprints <table>` (our extension): a client
// presented a certificate; is its SHA-256 fingerprint in the listener's table, and as whom does
// the client then count as authenticated (the table's value, or none for a list)?
namespace Smtpd.Ipc.Messages;

/// <summary>Look up <paramref name="Fingerprint"/> ("SHA256:" and 64 hex digits) on listener number <paramref name="ListenerIndex"/>.</summary>
internal readonly record struct LkaCertFingerprint(ulong ReqId, int ListenerIndex, string Fingerprint) : IImsgPayload<LkaCertFingerprint>
{
    public static ImsgType Type => ImsgType.LkaCertFingerprint;

    public static LkaCertFingerprint Read(ref ImsgReader reader) => new(reader.ReadU64(), reader.ReadI32(), reader.ReadRequiredString());

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteU64(ReqId);
        writer.WriteI32(ListenerIndex);
        writer.WriteString(Fingerprint);
    }
}

/// <summary>Ok (pinned; <paramref name="Identity"/> the table's value, null for a list), Fail (not in the table) or TempFail.</summary>
internal readonly record struct LkaCertFingerprintReply(ulong ReqId, AuthStatus Status, string? Identity) : IImsgPayload<LkaCertFingerprintReply>
{
    public static ImsgType Type => ImsgType.LkaCertFingerprintReply;

    public static LkaCertFingerprintReply Read(ref ImsgReader reader)
    {
        var reply = new LkaCertFingerprintReply(reader.ReadU64(), (AuthStatus)reader.ReadU8(), reader.ReadString());
        return reply.Status <= AuthStatus.TempFail ? reply : throw new ImsgFormatException($"fingerprint status {reply.Status}");
    }

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteU64(ReqId);
        writer.WriteU8((byte)Status);
        writer.WriteString(Identity);
    }
}
