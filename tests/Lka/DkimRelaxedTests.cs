// The relaxed canonicalizations and the signature field of the builtin DKIM signer, against
// RFC 6376 section 3.4.5's example and a signature checked with .NET's own RSA.
using System.Security.Cryptography;
using System.Text;
using Smtpd.Interop;
using Smtpd.Lka;

namespace Smtpd.Tests.Lka;

public class DkimRelaxedTests
{
    [Fact]
    public void HeadersOfTheRfcExampleAreLowercasedUnfoldedAndCollapsed()
    {
        Assert.Equal("a:X\r\n", DkimRelaxed.Header("A", " X"));
        Assert.Equal("b:Y Z\r\n", DkimRelaxed.Header("B ", " Y\t\r\n\tZ  "));
    }

    [Fact]
    public void BlanksAfterAColonInsideTheValueStay()
    {
        Assert.Equal("h:from: to\r\n", DkimRelaxed.Header("h", "from:\r\n\t to"));
    }

    [Fact]
    public void TheSignatureFieldItselfHasNoLineEnd()
    {
        Assert.Equal("dkim-signature:v=1; b=", DkimRelaxed.Header("DKIM-Signature", " v=1;\r\n\tb=", lineEnd: false));
    }

    [Fact]
    public void BodyOfTheRfcExampleLosesTrailingBlanksAndEmptyLines()
    {
        Assert.Equal(" C\r\nD E\r\n", DkimRelaxed.Body([" C ", "D \t E", "", ""]));
    }

    [Fact]
    public void EmptyLinesInsideTheBodyStayAndAnEmptyBodyStaysEmpty()
    {
        Assert.Equal("a\r\n\r\nb\r\n", DkimRelaxed.Body(["a", "  ", "b", "\t"]));
        Assert.Equal(string.Empty, DkimRelaxed.Body(["", ""]));
        Assert.Equal(string.Empty, DkimRelaxed.Body([]));
    }

    [Fact]
    public void RsaSignatureVerifiesOverTheRelaxedHeadersAndTheEmptiedSignatureField()
    {
        using var rsa = RSA.Create(2048);
        using var key = OpenSslSigningKey.LoadPem(Encoding.ASCII.GetBytes(rsa.ExportPkcs8PrivateKeyPem()), out string error);
        Assert.NotNull(key);
        Assert.True(key.IsRsa, error);

        (string, string)[] fields = [("From", " a@example.org"), ("Subject", "  hi  there"), ("X-Other", " no")];
        string? field = DkimSignature.Build(fields, ["body  text ", "", ""], ["from", "subject", "to"], "rsa-sha256", "example.org", "sel", 1700000000, key, out error);
        Assert.True(field is not null, error);

        string unfolded = field.Replace("\r\n", string.Empty, StringComparison.Ordinal);
        Assert.StartsWith("DKIM-Signature: v=1; a=rsa-sha256; d=example.org; s=sel;", unfolded, StringComparison.Ordinal);
        Assert.Contains("h=from:subject;", unfolded, StringComparison.Ordinal);
        string bh = Convert.ToBase64String(SHA256.HashData("body text\r\n"u8));
        Assert.Contains($"bh={bh};", unfolded, StringComparison.Ordinal);

        int b = field.LastIndexOf("b=", StringComparison.Ordinal);
        byte[] signature = Convert.FromBase64String(field[(b + 2)..].Replace("\r\n\t ", string.Empty, StringComparison.Ordinal));
        string signedField = DkimRelaxed.Header("DKIM-Signature", field[(field.IndexOf(':') + 1)..(b + 2)], lineEnd: false);
        byte[] data = Encoding.ASCII.GetBytes("from:a@example.org\r\nsubject:hi there\r\n" + signedField);
        Assert.True(rsa.VerifyData(data, signature, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1));
    }

    [Fact]
    public void Ed25519KeyIsRecognizedAndSignsSixtyFourBytes()
    {
        using var key = OpenSslSigningKey.LoadPem(
            "-----BEGIN PRIVATE KEY-----\nMC4CAQAwBQYDK2VwBCIEINTuctv5E1hK1bbY8fdp+K06/nwoy/HU++CXqI9EdVhC\n-----END PRIVATE KEY-----\n"u8,
            out string error);
        Assert.True(key is not null, error);
        Assert.True(key.IsEd25519);
        Assert.Equal(64, key.Sign(SHA256.HashData("x"u8), out error)?.Length);
    }

    [Fact]
    public void TextThatIsNoKeyIsRefusedWithOpenSslsReason()
    {
        Assert.Null(OpenSslSigningKey.LoadPem("not a key"u8, out string error));
        Assert.NotEmpty(error);
    }
}
