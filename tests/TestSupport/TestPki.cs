// Certificates made at test time with the openssl command: a private CA, server certificates
// (RSA or EC) for given host names, and client certificates, all valid for ten years from now
// (so a run under faketime passes too). Files are world-readable except keys (0600).
namespace Smtpd.Tests.TestSupport;

internal sealed class TestPki
{
    private TestPki(string dir) => Dir = dir;

    public string Dir { get; }

    public string CaCert => System.IO.Path.Combine(Dir, "ca.crt");

    public string CaKey => System.IO.Path.Combine(Dir, "ca.key");

    /// <summary>An OCSP responder URL that certificates issued from now on name (authorityInfoAccess), or null.</summary>
    public string? OcspResponder { get; set; }

    /// <summary>A new CA in a fresh directory.</summary>
    public static TestPki Create(string cn = "smtpd test CA")
    {
        string dir = Directory.CreateTempSubdirectory("smtpd-pki-").FullName;
        File.SetUnixFileMode(dir, (UnixFileMode)0b111_101_101);
        var pki = new TestPki(dir);
        OpenSsl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", pki.CaKey, "-out", pki.CaCert, "-days", "3650", "-subj", "/CN=" + cn);
        return pki;
    }

    /// <summary>
    /// A certificate for <paramref name="names"/> (the first is the CN, all are DNS names) signed
    /// by this CA; the files are NAME.crt (leaf then CA) and NAME.key. <paramref name="ec"/> makes a P-256 key.
    /// </summary>
    public (string Cert, string Key) Issue(string fileName, bool ec = false, bool client = false, params string[] names)
    {
        string key = System.IO.Path.Combine(Dir, fileName + ".key");
        string csr = System.IO.Path.Combine(Dir, fileName + ".csr");
        string leaf = System.IO.Path.Combine(Dir, fileName + ".leaf");
        string cert = System.IO.Path.Combine(Dir, fileName + ".crt");
        string ext = System.IO.Path.Combine(Dir, fileName + ".ext");
        string[] keyType = ec ? ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256"] : ["-newkey", "rsa:2048"];
        OpenSsl(["req", .. keyType, "-nodes", "-keyout", key, "-out", csr, "-subj", "/CN=" + names[0]]);
        File.WriteAllText(ext, (names.Length > 0 ? "subjectAltName=" + string.Join(",", names.Select(n => "DNS:" + n)) + "\n" : string.Empty)
            + (client ? "extendedKeyUsage=clientAuth\n" : "extendedKeyUsage=serverAuth\n")
            + (OcspResponder is null ? string.Empty : "authorityInfoAccess=OCSP;URI:" + OcspResponder + "\n"));
        OpenSsl("x509", "-req", "-in", csr, "-CA", CaCert, "-CAkey", CaKey, "-CAcreateserial", "-out", leaf, "-days", "3650", "-extfile", ext);
        File.WriteAllText(cert, File.ReadAllText(leaf) + File.ReadAllText(CaCert));
        File.SetUnixFileMode(key, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        File.SetUnixFileMode(cert, (UnixFileMode)0b110_100_100);
        return (cert, key);
    }

    /// <summary>A "pki NAME cert ... key ..." line for a new certificate valid for NAME.</summary>
    public string PkiLine(string name, bool ec = false)
    {
        var (cert, key) = Issue(name, ec, false, name);
        return $"pki {name} cert \"{cert}\" key \"{key}\"\n";
    }

    /// <summary>A self-signed client certificate (no CA issued it) for <paramref name="cn"/>: NAME.crt and NAME.key.</summary>
    public (string Cert, string Key) SelfSigned(string fileName, string cn)
    {
        string key = System.IO.Path.Combine(Dir, fileName + ".key");
        string cert = System.IO.Path.Combine(Dir, fileName + ".crt");
        OpenSsl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert, "-days", "3650", "-subj", "/CN=" + cn);
        File.SetUnixFileMode(cert, (UnixFileMode)0b110_100_100);
        return (cert, key);
    }

    /// <summary>A certificate's SHA-256 fingerprint as openssl prints it ("AB:CD:...", Postfix's form).</summary>
    public static string Fingerprint(string cert)
    {
        var r = Binary.Run("openssl", ["x509", "-in", cert, "-noout", "-fingerprint", "-sha256"]);
        return r.Out.Trim().Split('=')[1];
    }

    /// <summary>The serial number of a certificate file, in hex as openssl prints it.</summary>
    public static string Serial(string cert)
    {
        var r = Binary.Run("openssl", ["x509", "-in", cert, "-noout", "-serial"]);
        return r.Out.Trim().Split('=')[1];
    }

    /// <summary>
    /// An index file for `openssl ocsp -index`: each certificate valid ("V") or, when
    /// an entry says Revoked, revoked ("R") an hour ago.
    /// </summary>
    public string OcspIndex(params (string Cert, bool Revoked)[] entries)
    {
        string path = System.IO.Path.Combine(Dir, "index.txt");
        string Time(DateTime t) => t.ToString("yyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture) + "Z";
        var now = DateTime.UtcNow;
        File.WriteAllText(path, string.Concat(entries.Select(e =>
            $"{(e.Revoked ? "R" : "V")}\t{Time(now.AddYears(10))}\t{(e.Revoked ? Time(now.AddHours(-1)) : string.Empty)}\t{Serial(e.Cert)}\tunknown\t/CN=x\n")));
        File.WriteAllText(path + ".attr", "unique_subject = no\n");
        return path;
    }

    private static void OpenSsl(params string[] args)
    {
        var r = Binary.Run("openssl", args);
        if (r.Code != 0)
        {
            throw new InvalidOperationException("openssl " + string.Join(' ', args) + ": " + r.Err);
        }
    }
}
