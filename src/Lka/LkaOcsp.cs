// OCSP stapling's network side, in the lka: the role that may talk to the network (it resolves
// names already) and holds no private key. For each `pki NAME ocsp` it reads the certificate
// file, asks the responder the certificate names (http://, POST), checks the answer (signed by
// the issuer, about this certificate, current) and hands it to the dispatcher, which staples it.
// It asks again halfway to the response's nextUpdate (at most an hour later), five minutes after
// a failure, and at once after a reload (SIGHUP, smtpctl reload), which may bring renewed files. A response
// saying "revoked" is stapled as it is: it is the truth about the certificate, and a client
// that checks must see it (not stapling it would let soft-failing clients accept the certificate).
using System.Net;
using Smtpd.Config;
using Smtpd.Dns;
using Smtpd.Interop;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;
using Smtpd.Tls;

namespace Smtpd.Lka;

internal sealed class LkaOcsp(DnsLookups dns, Action<TlsOcspStaple> staple)
{
    internal static readonly TimeSpan MaxWait = TimeSpan.FromHours(1);
    internal static readonly TimeSpan MinWait = TimeSpan.FromMinutes(1);
    internal static readonly TimeSpan RetryWait = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(30);

    private TaskCompletionSource _wake = new(TaskCreationOptions.RunContinuationsAsynchronously);

    /// <summary>A reload may have brought new certificate files: ask for their responses now.</summary>
    public void RefreshNow()
    {
        var old = _wake;
        _wake = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        old.TrySetResult();
    }

    /// <summary>Starts refreshing the response of every pki configured with ocsp.</summary>
    public void Start(SmtpdConfig config)
    {
        foreach (var pki in config.Pkis.Where(p => p.Ocsp && p.Cert is not null))
        {
            _ = RunAsync(pki);
        }
    }

    /// <summary>When to ask again after a response with <paramref name="secondsToNextUpdate"/> left (null: none given).</summary>
    internal static TimeSpan NextRefresh(long? secondsToNextUpdate)
    {
        if (secondsToNextUpdate is not { } left)
        {
            return MaxWait;
        }

        var half = TimeSpan.FromSeconds(Math.Max(0, left) / 2.0);
        return half < MinWait ? MinWait : half > MaxWait ? MaxWait : half;
    }

    private async Task RunAsync(PkiDef pki)
    {
        while (true)
        {
            TimeSpan wait;
            try
            {
                wait = await RefreshAsync(pki);
            }
            catch (Exception e)
            {
                Log.Warn($"warn: ocsp: pki \"{pki.Name}\": no response: {e.Message}; trying again in {RetryWait.TotalMinutes:0} minutes");
                wait = RetryWait;
            }

            // Woken early by a reload.
            await Task.WhenAny(Task.Delay(wait), _wake.Task);
        }
    }

    private async Task<TimeSpan> RefreshAsync(PkiDef pki)
    {
        byte[] pem = await File.ReadAllBytesAsync(pki.Cert!);
        using var query = OcspQuery.Create(pem, out string error) ?? throw new IOException($"{pki.Cert}: {error}");
        var urls = query.ResponderUrls.Select(OcspHttp.Parse).OfType<OcspUrl>().ToList();
        if (urls.Count == 0)
        {
            throw new IOException($"the certificate in {pki.Cert} names no http:// OCSP responder");
        }

        byte[] request = query.Request();
        string lastError = "no responder answered";
        foreach (var url in urls)
        {
            foreach (var address in await AddressesAsync(url.Host))
            {
                byte[] der;
                try
                {
                    using var timeout = new CancellationTokenSource(RequestTimeout);
                    der = await OcspHttp.PostAsync(url, address, request, timeout.Token);
                }
                catch (Exception e) when (e is IOException or System.Net.Sockets.SocketException or OperationCanceledException)
                {
                    lastError = $"{url.Host} ({address}): {e.Message}";
                    continue;
                }

                if (query.Judge(der, out string why) is not { } verdict)
                {
                    lastError = $"{url.Host}: {why}";
                    continue;
                }

                long expires = verdict.SecondsToNextUpdate is { } left ? DateTimeOffset.UtcNow.ToUnixTimeSeconds() + left : 0;
                staple(new TlsOcspStaple(pki.Name, query.LeafSha256(), expires, der));
                var next = NextRefresh(verdict.SecondsToNextUpdate);
                string status = verdict.Status.ToString().ToLowerInvariant();
                string line = $"ocsp: pki \"{pki.Name}\": certificate status {status}, response stapled, next check in {(long)next.TotalSeconds}s";
                if (verdict.Status == OcspCertStatus.Good)
                {
                    Log.Info("info: " + line);
                }
                else
                {
                    Log.Warn("warn: " + line);
                }

                return next;
            }
        }

        throw new IOException(lastError);
    }

    private async Task<IReadOnlyList<IPAddress>> AddressesAsync(string host)
    {
        if (IPAddress.TryParse(host.Trim('[', ']'), out var literal))
        {
            return [literal];
        }

        var (status, addresses) = await dns.AddressesAsync(host);
        return status == DnsStatus.Ok && addresses.Count > 0 ? addresses : throw new IOException($"{host}: cannot resolve ({status})");
    }
}
