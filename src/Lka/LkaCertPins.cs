// `listen on ... fingerprints <table>` (our extension, as Postfix's relay_clientcerts): client
// certificates accepted by their SHA-256 fingerprint. A key is written as our cert-check log line
// prints it ("SHA256:" and 64 lowercase hex digits) or as Postfix does (upper-case hex pairs
// joined by colons); a map's value is the identity the client authenticates as.
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
        foreach (string key in CertFingerprintKeys.Of(req.Fingerprint))
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
}
