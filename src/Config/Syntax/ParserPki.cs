// "pki" and "ca" statements. Several lines may configure one name; they add up.
// Behaviour reference: usr.sbin/smtpd/parse.y (pki, pki_params, ca, ca_params).
namespace Smtpd.Config;

internal sealed partial class Parser
{
    // pki name (cert file | key file | dhe none|auto|legacy)+
    private void ParsePki(Token keyword)
    {
        var name = ExpectCertName("pki");
        var index = _pkis.FindIndex(p => p.Name == name);
        var pki = index >= 0 ? _pkis[index] : new PkiDef { Name = name, Where = Where(keyword) };
        var any = false;
        while (!Peek().IsEnd || !any)
        {
            var option = Next();
            switch (option.Kind == TokenKind.Word ? option.Text : string.Empty)
            {
                case "cert":
                    pki = pki with { Cert = ExpectString("a certificate file", "cert") };
                    break;
                case "certificate":
                    Notice(option, "legacy syntax translated: pki option certificate is now written cert");
                    pki = pki with { Cert = ExpectString("a certificate file", "certificate") };
                    break;
                case "key":
                    pki = pki with { Key = ExpectString("a key file", "key") };
                    break;
                case "dhe":
                    var dheToken = Peek();
                    var dhe = ExpectString("none, auto or legacy", "dhe").ToLowerInvariant();
                    if (dhe is not ("none" or "auto" or "legacy"))
                    {
                        Fail(dheToken, $"invalid dhe parameter \"{dheToken.Text}\": expected none, auto or legacy");
                    }
                    pki = pki with { Dhe = dhe };
                    break;
                default:
                    Fail(option, $"syntax error: expected cert, key or dhe after pki \"{name}\", got {option.Describe()}");
                    break;
            }
            any = true;
        }
        if (index >= 0)
        {
            _pkis[index] = pki;
        }
        else
        {
            _pkis.Add(pki);
        }
    }

    // ca name cert file
    private void ParseCa(Token keyword)
    {
        var name = ExpectCertName("ca");
        if (PeekKeyword("certificate"))
        {
            Notice(Next(), "legacy syntax translated: ca option certificate is now written cert");
        }
        else
        {
            Expect("cert", "ca " + name);
        }
        var cert = ExpectString("a certificate file", "cert");
        var index = _cas.FindIndex(c => c.Name == name);
        if (index >= 0)
        {
            _cas[index] = _cas[index] with { Cert = cert };
        }
        else
        {
            _cas.Add(new CaDef { Name = name, Cert = cert, Where = Where(keyword) });
        }
    }

    // Certificate names are host names (or "*"), compared without regard to case.
    private string ExpectCertName(string after)
    {
        var token = Peek();
        var name = ExpectString("a name", after);
        if (name != "*" && !IsHostName(name))
        {
            Fail(token, $"not a valid domain name: \"{name}\"");
        }
        return name.ToLowerInvariant();
    }

    internal static bool IsHostName(string name) =>
        name.Length is > 0 and <= 255 && !name.StartsWith('.') && !name.Contains("..", StringComparison.Ordinal)
        && name.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '_');
}
