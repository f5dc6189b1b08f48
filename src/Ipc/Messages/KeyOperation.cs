// The private-key operations the network-facing process asks the crypto role for.
// Behaviour reference: usr.sbin/smtpd/smtpd.h (IMSG_CA_RSA_PRIVENC, IMSG_CA_RSA_PRIVDEC, IMSG_CA_ECDSA_SIGN).
namespace Smtpd.Ipc.Messages;

// The numbers are wire format (WireEnumStabilityTests): append, never renumber.
internal enum KeyOperation : byte
{
    /// <summary>RSA_private_encrypt: a signature; the parameter is the padding.</summary>
    RsaPrivateEncrypt = 1,

    /// <summary>RSA_private_decrypt: RSA key exchange; the parameter is the padding.</summary>
    RsaPrivateDecrypt = 2,

    /// <summary>ECDSA_sign of a digest; the parameter is the digest type (ignored by OpenSSL).</summary>
    EcdsaSign = 3,
}
