// Our builtin DKIM signer (RFC 6376; rsa-sha256, or ed25519-sha256 per RFC 8463), a message-line
// stage like a filter process that registered data-line: it holds a session's lines until the
// final ".", signs the message (DkimSignature: relaxed/relaxed, OpenSSL) when its From address
// is in the configured domain or below it, and gives back the DKIM-Signature header followed by
// the lines unchanged. The key is read once, at start, while the lka is still root.
// Not in OpenSMTPD, which signs through filter-dkimsign or filter-rspamd processes.
using MimeKit;
using Smtpd.Config;
using Smtpd.Interop;
using Smtpd.Runtime;

namespace Smtpd.Lka;

internal sealed class DkimSigningStage : IDataLineStage
{
    private readonly DkimSignDef _def;
    private readonly OpenSslSigningKey _key;
    private readonly string[] _headers;
    private readonly Dictionary<(ulong Session, ulong Token), (List<string> Lines, Action<string?> Sink)> _messages = [];

    public DkimSigningStage(string name, DkimSignDef def, byte[] key)
    {
        Name = name;
        _def = def;
        _key = OpenSslSigningKey.LoadPem(key, out string error) ?? throw new FormatException(error);
        bool ed25519 = def.Algorithm == "ed25519-sha256";
        if (ed25519 ? !_key.IsEd25519 : !_key.IsRsa)
        {
            _key.Dispose();
            throw new FormatException(ed25519 ? "not an Ed25519 private key" : "not an RSA private key");
        }

        _headers = def.Headers.Count > 0 ? [.. def.Headers] : DkimSignDef.DefaultHeaders;
    }

    public string Name { get; }

    /// <summary>Reads and checks the key of every dkim-sign filter; called before the lka drops root.</summary>
    public static Dictionary<string, DkimSigningStage> LoadAll(SmtpdConfig config)
    {
        var signers = new Dictionary<string, DkimSigningStage>(StringComparer.Ordinal);
        foreach (var f in config.Filters.Where(f => f.Kind == FilterKind.DkimSign))
        {
            try
            {
                signers[f.Name] = new DkimSigningStage(f.Name, f.Dkim!, File.ReadAllBytes(f.Dkim!.KeyFile));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentException or NotSupportedException)
            {
                Log.FatalX($"filter \"{f.Name}\": cannot use DKIM key {f.Dkim!.KeyFile}: {e.Message}");
            }
        }

        return signers;
    }

    public void OpenData(ulong session, ulong token, Action<string?> sink) => _messages[(session, token)] = ([], sink);

    public void CloseData(ulong session, ulong token) => _messages.Remove((session, token));

    public void SendDataLine(ulong session, ulong token, string line)
    {
        if (!_messages.TryGetValue((session, token), out var m))
        {
            return;
        }

        if (line != ".")
        {
            m.Lines.Add(line);
            return;
        }

        _ = FinishAsync(session, token, m.Lines, m.Sink);
    }

    // Parsing and signing take milliseconds: they run on the thread pool, so that the lka's loop
    // (and the other sessions' filters) go on meanwhile; the lines go back on the loop.
    private async Task FinishAsync(ulong session, ulong token, List<string> lines, Action<string?> sink)
    {
        _messages[(session, token)] = ([], sink);
        string? signature = await Task.Run(() => Sign(session, lines));
        if (!_messages.ContainsKey((session, token)))
        {
            return;
        }

        if (signature is not null)
        {
            foreach (string l in signature.Split('\n'))
            {
                sink(l.TrimEnd('\r'));
            }
        }

        foreach (string l in lines)
        {
            sink(l);
        }

        sink(".");
    }

    /// <summary>The DKIM-Signature header (folded, a line end between its lines), or null when this signer does not sign the message.</summary>
    private string? Sign(ulong session, List<string> lines)
    {
        // The lines are as on the wire: a leading dot is doubled.
        var unstuffed = lines.Select(l => l.StartsWith('.') ? l[1..] : l);
        var fields = new List<(string Name, string Value)>();
        int bodyStart = lines.Count;
        int n = 0;
        foreach (string line in unstuffed)
        {
            if (line.Length == 0)
            {
                bodyStart = n + 1;
                break;
            }

            if (line[0] is ' ' or '\t' && fields.Count > 0)
            {
                fields[^1] = (fields[^1].Name, fields[^1].Value + "\r\n" + line);
            }
            else if (line.IndexOf(':') is int colon and > 0)
            {
                fields.Add((line[..colon], line[(colon + 1)..]));
            }

            n++;
        }

        string? from = fields.FirstOrDefault(f => f.Name.Trim(' ', '\t').Equals("from", StringComparison.OrdinalIgnoreCase)).Value;
        string? domain = from is not null && InternetAddressList.TryParse(from.Replace("\r\n", string.Empty, StringComparison.Ordinal), out var list)
            ? list.Mailboxes.FirstOrDefault()?.Domain?.ToLowerInvariant()
            : null;
        if (domain is null || !(domain == _def.Domain || domain.EndsWith("." + _def.Domain, StringComparison.Ordinal)))
        {
            return null;
        }

        string? signature = DkimSignature.Build(
            fields, unstuffed.Skip(bodyStart), _headers, _def.Algorithm, _def.Domain, _def.Selector,
            DateTimeOffset.UtcNow.ToUnixTimeSeconds(), _key, out string error);
        if (signature is null)
        {
            Log.Warn($"warn: {session:x16} filters: filter \"{Name}\": message not signed: {error}");
        }

        return signature;
    }
}
