// Our builtin DKIM signer (RFC 6376; rsa-sha256, or ed25519-sha256 per RFC 8463), a message-line
// stage like a filter process that registered data-line: it holds a session's lines until the
// final ".", signs the message with MimeKit's DkimSigner (relaxed/relaxed) when its From address
// is in the configured domain or below it, and gives back the DKIM-Signature header followed by
// the lines unchanged. The key is read once, at start, while the lka is still root.
// Not in OpenSMTPD, which signs through filter-dkimsign or filter-rspamd processes.
using System.Text;
using MimeKit;
using MimeKit.Cryptography;
using Smtpd.Config;
using Smtpd.Runtime;

namespace Smtpd.Lka;

internal sealed class DkimSigningStage : IDataLineStage
{
    private readonly DkimSignDef _def;
    private readonly DkimSigner _signer;
    private readonly string[] _headers;
    private readonly Dictionary<(ulong Session, ulong Token), (List<string> Lines, Action<string?> Sink)> _messages = [];

    public DkimSigningStage(string name, DkimSignDef def, byte[] key)
    {
        Name = name;
        _def = def;
        var algorithm = def.Algorithm == "ed25519-sha256" ? DkimSignatureAlgorithm.Ed25519Sha256 : DkimSignatureAlgorithm.RsaSha256;
        using var stream = new MemoryStream(key);
        _signer = new DkimSigner(stream, def.Domain, def.Selector, algorithm)
        {
            HeaderCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
            BodyCanonicalizationAlgorithm = DkimCanonicalizationAlgorithm.Relaxed,
        };
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
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or ArgumentException or NotSupportedException or Org.BouncyCastle.Security.SecurityUtilityException or InvalidCastException)
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
        var text = new StringBuilder();
        foreach (string line in lines)
        {
            // The lines are as on the wire: a leading dot is doubled.
            text.Append(line.StartsWith('.') ? line.AsSpan(1) : line).Append("\r\n");
        }

        try
        {
            using var stream = new MemoryStream(Encoding.Latin1.GetBytes(text.ToString()));
            var message = MimeMessage.Load(stream);
            string? domain = message.From.Mailboxes.FirstOrDefault()?.Domain?.ToLowerInvariant();
            if (domain is null || !(domain == _def.Domain || domain.EndsWith("." + _def.Domain, StringComparison.Ordinal)))
            {
                return null;
            }

            var present = _headers.Where(h => message.Headers.Contains(h)).ToList();
            _signer.Sign(message, present);
            var header = message.Headers[0];
            return header.Field + ":" + Encoding.Latin1.GetString(header.RawValue).TrimEnd('\r', '\n');
        }
        catch (Exception e) when (e is FormatException or ParseException or InvalidOperationException or ArgumentException)
        {
            Log.Warn($"warn: {session:x16} filters: filter \"{Name}\": message not signed: {e.Message}");
            return null;
        }
    }
}
