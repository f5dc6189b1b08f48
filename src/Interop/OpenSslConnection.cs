// One TLS connection (SSL*) over two memory BIOs: the caller feeds what arrived from the
// network into one and sends what accumulates in the other, so OpenSSL never touches a socket
// and never blocks; every call reports whether it needs more input. Also what the handshake
// negotiated and what the peer presented.
using System.Text;

namespace Smtpd.Interop;

/// <summary>How an SSL call ended.</summary>
internal enum SslStatus
{
    Ok,
    WantInput,
    Closed,
    Failed,
}

internal sealed unsafe class OpenSslConnection : IDisposable
{
    private nint _ssl;
    private readonly nint _input;
    private readonly nint _output;

    public OpenSslConnection(OpenSslContext context, bool server)
    {
        _ssl = LibSsl.New(context.Handle);
        if (_ssl == 0)
        {
            throw new InvalidOperationException("SSL_new: " + OpenSslError.Drain());
        }

        _input = LibCrypto.BioNew(LibCrypto.BioSMem());
        _output = LibCrypto.BioNew(LibCrypto.BioSMem());
        LibSsl.SetBio(_ssl, _input, _output);
        if (server)
        {
            LibSsl.SetAcceptState(_ssl);
        }
        else
        {
            LibSsl.SetConnectState(_ssl);
        }
    }

    /// <summary>The last failure's reason, for the log.</summary>
    public string LastError { get; private set; } = string.Empty;

    /// <summary>
    /// Client side: sends <paramref name="name"/> as SNI (unless <paramref name="sendSni"/> is false)
    /// and, with <paramref name="verify"/>, requires a certificate valid for it (an IP address
    /// literal is checked against the certificate's IP addresses).
    /// </summary>
    public void SetPeerName(string name, bool verify, bool sendSni = true)
    {
        if (sendSni)
        {
            SendSni(name);
        }

        if (verify)
        {
            _ = LibSsl.Set1Host(_ssl, name);
            LibSsl.SetVerify(_ssl, LibSsl.SSL_VERIFY_PEER, 0);
        }
    }

    /// <summary>
    /// Client side, without requiring it: the certificate is checked against <paramref name="name"/>
    /// too, and PeerVerified tells the outcome after the handshake (MTA-STS testing mode).
    /// </summary>
    public void CheckPeerName(string name) => _ = LibSsl.Set1Host(_ssl, name);

    private void SendSni(string name)
    {
        nint s = System.Runtime.InteropServices.Marshal.StringToCoTaskMemUTF8(name);
        try
        {
            _ = LibSsl.Ctrl(_ssl, LibSsl.SSL_CTRL_SET_TLSEXT_HOSTNAME, LibSsl.TLSEXT_NAMETYPE_host_name, s);
        }
        finally
        {
            System.Runtime.InteropServices.Marshal.FreeCoTaskMem(s);
        }
    }

    /// <summary>
    /// Client side, instead of SetPeerName's name check: authenticate the server by DANE (RFC
    /// 6698/7672) against <paramref name="records"/> (usage, selector, matching type, data),
    /// names checked against <paramref name="baseDomain"/> for the PKIX usages; the context must
    /// have DANE enabled. Returns how many records OpenSSL can use (0: none, do not rely on DANE).
    /// </summary>
    public int EnableDane(string baseDomain, IEnumerable<(byte Usage, byte Selector, byte MatchingType, byte[] Data)> records)
    {
        if (LibSsl.DaneEnable(_ssl, baseDomain) <= 0)
        {
            LastError = OpenSslError.DrainReason("DANE not enabled on the context");
            return 0;
        }

        int usable = 0;
        foreach (var (usage, selector, mtype, data) in records)
        {
            fixed (byte* p = data)
            {
                if (LibSsl.DaneTlsaAdd(_ssl, usage, selector, mtype, p, (nuint)data.Length) > 0)
                {
                    usable++;
                }
            }
        }

        OpenSslError.Clear();
        LibSsl.SetVerify(_ssl, LibSsl.SSL_VERIFY_PEER, 0);
        return usable;
    }

    /// <summary>After the handshake: the depth of the certificate a TLSA record matched, or -1.</summary>
    public int DaneAuthorityDepth => LibSsl.Get0DaneAuthority(_ssl, null, null);

    /// <summary>Network bytes in.</summary>
    public void Feed(ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            _ = LibCrypto.BioWrite(_input, p, data.Length);
        }
    }

    /// <summary>How many bytes wait to be sent to the peer.</summary>
    public int PendingOutput => (int)LibCrypto.BioCtrlPending(_output);

    /// <summary>Moves bytes to send into <paramref name="buffer"/>; returns how many.</summary>
    public int TakeOutput(Span<byte> buffer)
    {
        fixed (byte* p = buffer)
        {
            int n = LibCrypto.BioRead(_output, p, buffer.Length);
            return n < 0 ? 0 : n;
        }
    }

    public SslStatus Handshake() => Status(LibSsl.DoHandshake(_ssl));

    /// <summary>Decrypted bytes into <paramref name="buffer"/>: Ok with their count, or why none.</summary>
    public SslStatus Read(Span<byte> buffer, out int count)
    {
        fixed (byte* p = buffer)
        {
            int n = LibSsl.Read(_ssl, p, buffer.Length);
            count = Math.Max(n, 0);
            return n > 0 ? SslStatus.Ok : Status(n);
        }
    }

    /// <summary>Encrypts all of <paramref name="data"/> into the output (memory BIOs take everything).</summary>
    public SslStatus Write(ReadOnlySpan<byte> data)
    {
        fixed (byte* p = data)
        {
            int n = LibSsl.Write(_ssl, p, data.Length);
            return n > 0 ? SslStatus.Ok : Status(n);
        }
    }

    /// <summary>Queues close_notify.</summary>
    public void Shutdown()
    {
        _ = LibSsl.Shutdown(_ssl);
        OpenSslError.Clear();
    }

    public string Version => OpenSslText.Of(LibSsl.GetVersion(_ssl));

    public string CipherName => OpenSslText.Of(LibSsl.CipherGetName(LibSsl.GetCurrentCipher(_ssl)));

    public int CipherBits => LibSsl.CipherGetBits(LibSsl.GetCurrentCipher(_ssl), null);

    /// <summary>The server name the client sent, or null.</summary>
    public string? ServerName
    {
        get
        {
            byte* name = LibSsl.GetServerName(_ssl, LibSsl.TLSEXT_NAMETYPE_host_name);
            return name == null ? null : OpenSslText.Of(name);
        }
    }

    /// <summary>Whether the peer's certificate chain verified (X509_V_OK).</summary>
    public bool PeerVerified => LibSsl.GetVerifyResult(_ssl) == LibCrypto.X509_V_OK;

    /// <summary>Why verification failed ("certificate has expired"), or "ok".</summary>
    public string VerifyResultText => OpenSslText.Of(LibCrypto.X509VerifyCertErrorString(LibSsl.GetVerifyResult(_ssl)));

    /// <summary>The peer certificate's subject ("/CN=client.example.org") and SHA-256 fingerprint ("SHA256:ab12..."), or nulls.</summary>
    public (string? Subject, string? Fingerprint) PeerCertificate()
    {
        nint cert = LibSsl.Get1PeerCertificate(_ssl);
        if (cert == 0)
        {
            return (null, null);
        }

        try
        {
            byte* buf = stackalloc byte[512];
            string subject = OpenSslText.Of(LibCrypto.X509NameOneline(LibCrypto.X509GetSubjectName(cert), buf, 512));
            byte* md = stackalloc byte[64];
            uint len = 0;
            string? fingerprint = null;
            if (LibCrypto.X509Digest(cert, LibCrypto.EvpSha256(), md, &len) == 1)
            {
                var sb = new StringBuilder("SHA256:", 7 + (2 * (int)len));
                for (int i = 0; i < len; i++)
                {
                    sb.Append(md[i].ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
                }

                fingerprint = sb.ToString();
            }

            return (subject, fingerprint);
        }
        finally
        {
            LibCrypto.X509Free(cert);
        }
    }

    private SslStatus Status(int ret)
    {
        int e = LibSsl.GetError(_ssl, ret);
        switch (e)
        {
            case LibSsl.SSL_ERROR_NONE:
                return SslStatus.Ok;
            case LibSsl.SSL_ERROR_WANT_READ:
            case LibSsl.SSL_ERROR_WANT_WRITE:
                return SslStatus.WantInput;
            case LibSsl.SSL_ERROR_ZERO_RETURN:
                return SslStatus.Closed;
            default:
                // libtls's wording, which OpenSMTPD logs: the first queued error in full, or EOF.
                LastError = OpenSslError.DrainFirst(e == LibSsl.SSL_ERROR_SYSCALL ? "EOF" : "protocol error");
                return SslStatus.Failed;
        }
    }

    public void Dispose()
    {
        if (_ssl != 0)
        {
            LibSsl.Free(_ssl); // frees both BIOs
            _ssl = 0;
        }
    }
}
