// `listen on ... fingerprints <table>` (our extension, as Postfix's relay_clientcerts): client
// certificates accepted by their SHA-256 fingerprint. A key is written as our cert-check log line
// prints it ("SHA256:" and 64 lowercase hex digits) or as Postfix does (upper-case hex pairs
// joined by colons); a map's value is the identity the client authenticates as.
using System.Text;
using Smtpd.Config;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;
using Smtpd.Tables;

namespace Smtpd.Lka;

internal sealed class LkaCertPins(SmtpdConfig config, TableSet tables)
{
    public LkaCertFingerprintReply Check(LkaCertFingerprint req)
    {
        if (req.ListenerIndex < 0 || req.ListenerIndex >= config.Listeners.Count || config.Listeners[req.ListenerIndex].ClientFingerprints is not { } pins)
        {
            Log.Warn($"warn: lka: fingerprint lookup for listener {req.ListenerIndex}, which has no fingerprints table");
            return new LkaCertFingerprintReply(req.ReqId, AuthStatus.TempFail, null);
        }

        var table = tables.Resolve(pins);
        foreach (string key in Spellings(req.Fingerprint))
        {
            var (r, value) = table.Lookup(TableService.String, key);
            if (r == MatchResult.Match)
            {
                return new LkaCertFingerprintReply(req.ReqId, AuthStatus.Ok, string.IsNullOrWhiteSpace(value) ? null : value.Trim());
            }

            if (r != MatchResult.NoMatch)
            {
                Log.Warn($"warn: failure during fingerprint lookup {table.Name}:{key}");
                return new LkaCertFingerprintReply(req.ReqId, AuthStatus.TempFail, null);
            }
        }

        return new LkaCertFingerprintReply(req.ReqId, AuthStatus.Fail, null);
    }

    /// <summary>"SHA256:ab01..." and Postfix's "AB:01:..." for the same digest.</summary>
    internal static IEnumerable<string> Spellings(string fingerprint)
    {
        string hex = fingerprint.StartsWith("SHA256:", StringComparison.Ordinal) ? fingerprint[7..] : fingerprint;
        yield return "SHA256:" + hex.ToLowerInvariant();
        var sb = new StringBuilder(hex.Length * 3 / 2);
        for (int i = 0; i + 1 < hex.Length; i += 2)
        {
            sb.Append(i == 0 ? string.Empty : ":").Append(hex.AsSpan(i, 2));
        }

        yield return sb.ToString().ToUpperInvariant();
    }
}
