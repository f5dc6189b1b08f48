// "pki" and "ca" statements. Several lines may configure one name; they add up.
// Behaviour reference: usr.sbin/smtpd/parse.y (pki, pki_params, ca, ca_params).
using Pidgin;

namespace Smtpd.Config;

internal static partial class Grammar
{
    // pki name (cert file | key file | dhe none|auto|legacy | ocsp)+
    public static readonly Parser<Token, Action<Parser>> Pki =
        from keyword in Kw("pki")
        from name in CertName("pki")
        from first in PkiOption(name, new PkiSettings(new PkiDef { Name = name }, []))
        from settings in Options(first, s => PkiOption(name, s))
        select new Action<Parser>(p =>
        {
            foreach (var at in settings.LegacyCertificate)
            {
                p.Notice(at, "legacy syntax translated: pki option certificate is now written cert");
            }
            p.MergePki(settings.Pki, keyword);
        });

    // ca name cert file
    public static readonly Parser<Token, Action<Parser>> Ca =
        from keyword in Kw("ca")
        from name in CertName("ca")
        from legacy in Kw("certificate").Select(t => (Token?)t).Else(ExpectOf("cert", "ca " + name).ThenReturn((Token?)null))
        from cert in Str("a certificate file", "cert")
        from end in EndOfStatement
        select new Action<Parser>(p =>
        {
            if (legacy is { } at)
            {
                p.Notice(at, "legacy syntax translated: ca option certificate is now written cert");
            }
            p.MergeCa(name, cert, keyword);
        });

    private sealed record PkiSettings(PkiDef Pki, List<Token> LegacyCertificate);

    private static Parser<Token, PkiSettings> PkiOption(string name, PkiSettings s) => ByToken(option => WordOf(option) switch
    {
        "cert" => Kw("cert").Then(Str("a certificate file", "cert")).Select(cert => s with { Pki = s.Pki with { Cert = cert } }),
        "certificate" => Kw("certificate").Then(Str("a certificate file", "certificate"))
            .Select(cert => s with { Pki = s.Pki with { Cert = cert }, LegacyCertificate = [.. s.LegacyCertificate, option] }),
        "key" => Kw("key").Then(Str("a key file", "key")).Select(key => s with { Pki = s.Pki with { Key = key } }),
        "dhe" => Kw("dhe").Then(Str("none, auto or legacy", "dhe")
            .Check(d => d.ToLowerInvariant() is "none" or "auto" or "legacy" ? null : $"invalid dhe parameter \"{d}\": expected none, auto or legacy"))
            .Select(d => s with { Pki = s.Pki with { Dhe = d.ToLowerInvariant() } }),
        "ocsp" => Kw("ocsp").ThenReturn(s with { Pki = s.Pki with { Ocsp = true } }),
        _ => Unexpected<PkiSettings>(t => $"syntax error: expected cert, key, dhe or ocsp after pki \"{name}\", got {t.Describe()}"),
    });

    // Certificate names are host names (or "*"), compared without regard to case.
    private static Parser<Token, string> CertName(string after) =>
        Str("a name", after)
            .Check(name => name != "*" && !Parser.IsHostName(name) ? $"not a valid domain name: \"{name}\"" : null)
            .Select(name => name.ToLowerInvariant());
}
