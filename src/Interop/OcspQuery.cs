// OCSP for one certificate: built from its chain (leaf, then the issuer), it knows the responder
// the certificate names (authorityInfoAccess), makes the DER request for it, and judges a
// responder's DER answer: successful, signed by the issuer or a responder the issuer certified,
// about this certificate, and current. What it finds is the status and when to ask again.
using System.Runtime.InteropServices;

namespace Smtpd.Interop;

/// <summary>A certificate's status as an OCSP response states it.</summary>
internal enum OcspCertStatus
{
    Good = 0,
    Revoked = 1,
    Unknown = 2,
}

/// <summary>A response judged usable: its status and the seconds until its nextUpdate (null: none given).</summary>
internal readonly record struct OcspVerdict(OcspCertStatus Status, long? SecondsToNextUpdate);

internal sealed unsafe class OcspQuery : IDisposable
{
    private nint _leaf;
    private nint _issuer;
    private nint _id;

    private OcspQuery(nint leaf, nint issuer, nint id)
    {
        _leaf = leaf;
        _issuer = issuer;
        _id = id;
    }

    /// <summary>The responder URLs the certificate names, in its order.</summary>
    public IReadOnlyList<string> ResponderUrls { get; private init; } = [];

    /// <summary>The query for the first certificate of <paramref name="chainPem"/>, or null with why.</summary>
    public static OcspQuery? Create(ReadOnlySpan<byte> chainPem, out string error)
    {
        error = string.Empty;
        nint leaf = 0, issuer = 0;
        fixed (byte* p = chainPem)
        {
            nint bio = LibCrypto.BioNewMemBuf(p, chainPem.Length);
            leaf = LibCrypto.PemReadBioX509(bio, 0, 0, 0);
            issuer = leaf == 0 ? 0 : LibCrypto.PemReadBioX509(bio, 0, 0, 0);
            _ = LibCrypto.BioFree(bio);
        }

        OpenSslError.Clear();
        if (leaf == 0 || issuer == 0)
        {
            error = leaf == 0 ? "no certificate" : "the certificate file holds no issuer certificate after the certificate";
            Free(leaf);
            Free(issuer);
            return null;
        }

        nint id = LibCrypto.OcspCertToId(0, leaf, issuer);
        if (id == 0)
        {
            error = OpenSslError.DrainReason("cannot make a certificate id");
            Free(leaf);
            Free(issuer);
            return null;
        }

        return new OcspQuery(leaf, issuer, id) { ResponderUrls = Urls(leaf) };
    }

    /// <summary>The DER-encoded OCSP request (no nonce: the answer is meant to be stapled to many handshakes).</summary>
    public byte[] Request()
    {
        nint req = LibCrypto.OcspRequestNew();
        try
        {
            nint id = LibCrypto.OcspCertIdDup(_id);
            if (req == 0 || id == 0 || LibCrypto.OcspRequestAdd0Id(req, id) == 0)
            {
                throw new InvalidOperationException("OCSP request: " + OpenSslError.Drain());
            }

            int len = LibCrypto.I2dOcspRequest(req, null);
            var der = new byte[len];
            fixed (byte* d = der)
            {
                byte* q = d;
                _ = LibCrypto.I2dOcspRequest(req, &q);
            }

            return der;
        }
        finally
        {
            LibCrypto.OcspRequestFree(req);
        }
    }

    /// <summary>The verdict on a responder's answer, or null with why it cannot be stapled.</summary>
    public OcspVerdict? Judge(ReadOnlySpan<byte> der, out string error)
    {
        error = string.Empty;
        nint resp, basic = 0, store = 0, certs = 0;
        fixed (byte* d = der)
        {
            byte* q = d;
            resp = LibCrypto.D2iOcspResponse(0, &q, der.Length);
        }

        try
        {
            if (resp == 0)
            {
                error = "not an OCSP response";
                return null;
            }

            int rs = LibCrypto.OcspResponseStatus(resp);
            if (rs != LibCrypto.OCSP_RESPONSE_STATUS_SUCCESSFUL)
            {
                error = $"responder status {rs}";
                return null;
            }

            basic = LibCrypto.OcspResponseGet1Basic(resp);
            store = LibCrypto.X509StoreNew();
            certs = LibCrypto.SkNewNull();
            if (basic == 0 || store == 0 || certs == 0)
            {
                error = "no basic response";
                return null;
            }

            // The issuer is the anchor even when it is an intermediate (partial chain): the
            // response must come from it or from a responder it certified.
            _ = LibCrypto.X509StoreAddCert(store, _issuer);
            _ = LibCrypto.X509StoreSetFlags(store, LibCrypto.X509_V_FLAG_PARTIAL_CHAIN);
            _ = LibCrypto.SkPush(certs, _issuer);
            if (LibCrypto.OcspBasicVerify(basic, certs, store, 0) <= 0)
            {
                error = "signature not verified: " + OpenSslError.DrainReason("unknown reason");
                return null;
            }

            int status = 0, reason = 0;
            nint revoked = 0, thisUpdate = 0, nextUpdate = 0;
            if (LibCrypto.OcspRespFindStatus(basic, _id, &status, &reason, &revoked, &thisUpdate, &nextUpdate) != 1)
            {
                error = "the response is not about this certificate";
                return null;
            }

            // Five minutes' leeway for clocks, as OpenSSL's own tools allow.
            if (LibCrypto.OcspCheckValidity(thisUpdate, nextUpdate, 300, -1) != 1)
            {
                error = "the response is not current: " + OpenSslError.DrainReason("outside its validity");
                return null;
            }

            long? left = null;
            int days = 0, secs = 0;
            if (nextUpdate != 0 && LibCrypto.Asn1TimeDiff(&days, &secs, 0, nextUpdate) == 1)
            {
                left = (days * 86400L) + secs;
            }

            return new OcspVerdict((OcspCertStatus)Math.Clamp(status, 0, 2), left);
        }
        finally
        {
            if (certs != 0)
            {
                LibCrypto.SkFree(certs);
            }

            if (store != 0)
            {
                LibCrypto.X509StoreFree(store);
            }

            if (basic != 0)
            {
                LibCrypto.OcspBasicRespFree(basic);
            }

            if (resp != 0)
            {
                LibCrypto.OcspResponseFree(resp);
            }

            OpenSslError.Clear();
        }
    }

    /// <summary>The leaf certificate's SHA-256 digest, which a staple is tied to.</summary>
    public byte[] LeafSha256() => OpenSslContext.Sha256(_leaf);

    public void Dispose()
    {
        if (_id != 0)
        {
            LibCrypto.OcspCertIdFree(_id);
            _id = 0;
        }

        Free(_leaf);
        Free(_issuer);
        _leaf = _issuer = 0;
    }

    private static List<string> Urls(nint leaf)
    {
        var urls = new List<string>();
        nint stack = LibCrypto.X509Get1Ocsp(leaf);
        if (stack == 0)
        {
            return urls;
        }

        for (int i = 0; i < LibCrypto.SkNum(stack); i++)
        {
            urls.Add(Marshal.PtrToStringUTF8(LibCrypto.SkValue(stack, i)) ?? string.Empty);
        }

        LibCrypto.X509EmailFree(stack);
        return urls;
    }

    private static void Free(nint x)
    {
        if (x != 0)
        {
            LibCrypto.X509Free(x);
        }
    }
}
