// OCSP stapling: the lka (which may talk to the network and holds no keys) fetched and checked a
// pki's OCSP response; the dispatcher staples it to the handshakes of the certificate whose
// SHA-256 digest it names, until it expires.
namespace Smtpd.Ipc.Messages;

/// <summary>
/// Lka → dispatcher: <paramref name="Response"/> (DER) for pki <paramref name="Pki"/>'s certificate
/// <paramref name="CertSha256"/>, usable until <paramref name="ExpiresUnix"/> (seconds; 0: no nextUpdate given).
/// </summary>
internal readonly record struct TlsOcspStaple(string Pki, byte[] CertSha256, long ExpiresUnix, byte[] Response) : IImsgPayload<TlsOcspStaple>
{
    public static ImsgType Type => ImsgType.TlsOcspStaple;

    public static TlsOcspStaple Read(ref ImsgReader reader) =>
        new(reader.ReadRequiredString(), reader.ReadBytes().ToArray(), reader.ReadI64(), reader.ReadBytes().ToArray());

    public void Write(ref ImsgWriter writer)
    {
        writer.WriteString(Pki);
        writer.WriteBytes(CertSha256);
        writer.WriteI64(ExpiresUnix);
        writer.WriteBytes(Response);
    }

    public override string ToString() => $"TlsOcspStaple {{ Pki = {Pki}, Bytes = {Response.Length}, ExpiresUnix = {ExpiresUnix} }}";
}
