using System.Text;
using Smtpd.Queue;

namespace Smtpd.Tests.Queue;

// Files as OpenSMTPD's "queue compression" / "queue encryption" write them, made with zlib
// (deflateInit2 with windowBits 15+16, as compress_gzip.c) and OpenSSL's AES-256-GCM in
// crypto.c's layout (version 1, 12-byte IV 01..0c, ciphertext, 16-byte tag), key used as given.
public class QueueCodecTests
{
    private const string GzipEnvelope = "1f8b08000000000000036d904b6ec3300c44f73a852e60c14e9b14d52a57a1292616424b824817c9ed2bb5469045b8e2678837e40f55893979fb614294028a0b556f3923b0d147216fd70046562d09d65edd1ddd612d4c2ed7ab5988b3b7c891923e0789d42c59f47fe3cd5032de2084069abe0f6e7407378d462885ce068e48e75779c5a2dece793ebfa203c99b2e6aecd0e96bdcc330880e5a1fdeeef99cb784d44b556e977f1e4f4d5669d75c18aed26c6cba34df1141299820694859e3e54fd25e326cd2cd36bcf905c593bd6244010000";
    private const string EncryptedEnvelope = "010102030405060708090a0b0c788d635d4993938d23a230a9ea798106f08568d1cdbf2058704796645d1ac73b61d469f196857717b20b882834e832c7dde0388f60164026320b63f088519b4e03d506ccf4037810204f53a5ec0208851cb2ee7b9f8cfa7ed5b53ad9c4efbbe093b9da49cb397f199a247f8b338a98be65d5db35a1e3d59a7145fd79175cc5381e75241953f5456a5817b2a21c14e9d23cb19ba325a1cc6da86a25ae2027467d181bd367b0de92e6acc94c02fbab5b1cdc9903fe056a1a785e6e8224456ff96fb39b67608542fecb313a5d6ac09be6214cbe1955c3844860c7fd039692d8ccc11ceb15a0acd5137f7332b5623f2091f5ceaeea6c53d6c35cb40561e126770bdaab53d08f58f0865de64817131c84c5c17408eb1558b1a823281bcc3dce762d1b6ae3b80868d2bd1c111074371b2499b9b4ec26b0fc807e1560d1025d57857a5bdd063ea3bce312b8ec8a98f25cb06cfd7c4d6330";
    private const string GzipEncryptedEnvelope = "010102030405060708090a0b0c1163192e20fcfdb70392575dc864325788a2f78e3aab60f551bfe3dd7d391f6222f80bd770ac6aad32544d00c5c0ef1f9a0577450a3ba8723b9c679c7321764f3edf53807ef25c5d26fd3d97944a79322f1f9fc3d0cfd32408760c220336121c64bdfda3737c438391e9d7a36039c85606610b5fbb9da1c29f68b498bd287150c81b6ff2c105b93d57981ad2b0e1a3dda25b52a9950b9f80e6554211a3aeb6afb2a1fd46d43b8e8897be3a09439503d7769402345dd025560591a82968456eb0dc2b5630a9f54b9ce0b334ca7d49f60247dd6dbc801249661db7b87a7f2fbd8ea99db7";
    private const string GzipEncryptedBody = "010102030405060708090a0b0c1163192e20fcfdb7039231e3cec0bb2aaa57527c7761e5d6faeebfc59ea759ae06eec3c1e2886b64df7fa6efb9491f9ac13f81d39beaa8d9eb82";

    internal static readonly byte[] Key = Encoding.ASCII.GetBytes("0123456789abcdef0123456789abcdef");

    public static TheoryData<bool, bool, string> EnvelopeVectors() => new()
    {
        { true, false, GzipEnvelope },
        { false, true, EncryptedEnvelope },
        { true, true, GzipEncryptedEnvelope },
    };

    private static QueueOptions Options(bool compress, bool encrypt) =>
        new() { Compression = compress, EncryptionKey = encrypt ? Key : null };

    [Theory]
    [MemberData(nameof(EnvelopeVectors))]
    public void EnvelopesOpenSmtpdCompressedOrEncryptedAreReadBack(bool compress, bool encrypt, string hex)
    {
        using var codec = new QueueCodec(Options(compress, encrypt));
        Assert.True(codec.TryDecode(Convert.FromHexString(hex), EnvelopeFormat.MaxLoadSize, isMessage: false, out byte[] plain, out string error), error);
        Assert.Equal(EnvelopeGolden.Mda, Encoding.ASCII.GetString(plain));
    }

    [Fact]
    public void MessageOpenSmtpdCompressedAndEncryptedIsDeliveredPlain()
    {
        using var spool = new TempSpool();
        using var q = spool.Open(Options(compress: true, encrypt: true));
        var (msgid, envs) = FsQueueBackendTests.Receive(q, FsQueueBackendTests.Body, "bob@example.org");
        Assert.Equal(QueueResult.Ok, q.MessageCommit(msgid));
        File.WriteAllBytes(spool.Paths.MessageFile(msgid), Convert.FromHexString(GzipEncryptedBody));
        File.WriteAllBytes(spool.Paths.Envelope(envs[0].Id), Convert.FromHexString(GzipEncryptedEnvelope));
        using var fresh = spool.Open(Options(compress: true, encrypt: true));
        Assert.Equal("Subject: hi\r\n\r\nhello\r\n", Encoding.ASCII.GetString(FsQueueBackendTests.ReadMessage(fresh, msgid)));
        Assert.Equal(QueueResult.Ok, fresh.EnvelopeLoad(envs[0].Id, out var e));
        Assert.Equal("bob", e!.MdaUser);
    }

    [Theory]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void LayeredSpoolRoundTripsAndStoresNoPlainText(bool compress, bool encrypt)
    {
        using var spool = new TempSpool();
        using var q = spool.Open(Options(compress, encrypt));
        var (msgid, envs) = FsQueueBackendTests.Receive(q, FsQueueBackendTests.Body, "bob@example.org");
        Assert.Equal(QueueResult.Ok, q.MessageCommit(msgid));

        byte[] message = File.ReadAllBytes(spool.Paths.MessageFile(msgid));
        byte[] envelope = File.ReadAllBytes(spool.Paths.Envelope(envs[0].Id));
        byte[] magic = encrypt ? [QueueEncryption.ApiVersion] : [0x1f, 0x8b];
        Assert.StartsWith(Convert.ToHexString(magic), Convert.ToHexString(message), StringComparison.Ordinal);
        Assert.StartsWith(Convert.ToHexString(magic), Convert.ToHexString(envelope), StringComparison.Ordinal);
        Assert.DoesNotContain("bob@example.org", Encoding.Latin1.GetString(envelope), StringComparison.Ordinal);

        Assert.Equal(FsQueueBackendTests.Body, FsQueueBackendTests.ReadMessage(q, msgid));
        var walked = Assert.Single(q.EnvelopeWalk());
        Assert.Equal(QueueStatus.Ok, walked.Status);
        Assert.Equal("bob@example.org", walked.Envelope!.Rcpt.ToString());
        Assert.Empty(Directory.EnumerateFileSystemEntries(spool.Paths.Temporary));
    }

    [Fact]
    public void WithCompressionOnAPlainMessageIsStillReadAsGzreadWould()
    {
        using var spool = new TempSpool();
        using (var plain = spool.Open())
        {
            var (msgid, _) = FsQueueBackendTests.Receive(plain, FsQueueBackendTests.Body, "bob@example.org");
            Assert.Equal(QueueResult.Ok, plain.MessageCommit(msgid));
        }

        using var compressed = spool.Open(Options(compress: true, encrypt: false));
        var walked = Assert.Single(compressed.EnvelopeWalk());

        // Envelopes are inflated without a pass-through (as OpenSMTPD's inflate), so this one is set aside.
        Assert.Equal(QueueStatus.Corrupt, walked.Status);
        Assert.Equal("cannot uncompress", walked.Reason);
    }

    [Fact]
    public void AWrongKeyOrATamperedFileDoesNotDecrypt()
    {
        using var right = new QueueEncryption(Key);
        using var wrong = new QueueEncryption(Encoding.ASCII.GetBytes("fedcba9876543210fedcba9876543210"));
        byte[] sealedBytes = Convert.FromHexString(EncryptedEnvelope);
        Assert.False(wrong.TryDecrypt(sealedBytes, out _));
        sealedBytes[20] ^= 1;
        Assert.False(right.TryDecrypt(sealedBytes, out _));
        sealedBytes[20] ^= 1;
        sealedBytes[0] = 2;
        Assert.False(right.TryDecrypt(sealedBytes, out _));
        Assert.False(right.TryDecrypt(new byte[QueueEncryption.Overhead - 1], out _));
        Assert.Throws<ArgumentException>(() => new QueueEncryption(new byte[16]));
    }

    [Fact]
    public void EncryptionUsesAFreshIvEveryTime()
    {
        using var enc = new QueueEncryption(Key);
        byte[] a = enc.Encrypt("same"u8);
        byte[] b = enc.Encrypt("same"u8);
        Assert.Equal(QueueEncryption.Overhead + 4, a.Length);
        Assert.NotEqual(a.AsSpan(1, 12).ToArray(), b.AsSpan(1, 12).ToArray());
        Assert.True(enc.TryDecrypt(a, out byte[] plain));
        Assert.Equal("same"u8.ToArray(), plain);
    }

    [Fact]
    public void DecompressionStopsAtTheLimitInsteadOfInflatingABomb()
    {
        byte[] bomb = QueueCompression.Compress(new byte[1 << 20]);
        Assert.False(QueueCompression.TryDecompress(bomb, EnvelopeFormat.MaxLoadSize, passThroughPlain: false, out _));
        Assert.True(QueueCompression.TryDecompress(bomb, 1 << 20, passThroughPlain: false, out byte[] all));
        Assert.Equal(1 << 20, all.Length);
        Assert.False(QueueCompression.TryDecompress([0x1f, 0x8b, 8, 0, 1, 2], 100, passThroughPlain: true, out _));
        byte[] whole = QueueCompression.Compress(FsQueueBackendTests.Body);
        for (int cut = 1; cut < whole.Length - 1; cut++)
        {
            Assert.False(QueueCompression.TryDecompress(whole[..^cut], 1000, passThroughPlain: true, out _));
        }
    }

    [Fact]
    public void RandomStoredBytesNeverThrowWhileDecoding()
    {
        var rng = new Random(8794);
        using var gz = new QueueCodec(new QueueOptions { Compression = true });
        using var both = new QueueCodec(new QueueOptions { Compression = true, EncryptionKey = Key });
        byte[] valid = QueueCompression.Compress(FsQueueBackendTests.Body);
        for (int i = 0; i < 5000; i++)
        {
            byte[] data = i % 2 == 0 ? new byte[rng.Next(0, 200)] : (byte[])valid.Clone();
            if (i % 2 == 0)
            {
                rng.NextBytes(data);
                if (data.Length > 2)
                {
                    data[0] = 0x1f;
                    data[1] = 0x8b;
                }
            }
            else
            {
                data[rng.Next(data.Length)] = (byte)rng.Next(256);
            }

            _ = gz.TryDecode(data, 4096, isMessage: i % 3 == 0, out _, out _);
            _ = both.TryDecode(data, 4096, isMessage: false, out _, out _);
        }
    }

    [Fact]
    public void OurCompressedMessageIsReadByGzipItself()
    {
        using var spool = new TempSpool();
        using var q = spool.Open(new QueueOptions { Compression = true });
        var (msgid, _) = FsQueueBackendTests.Receive(q, FsQueueBackendTests.Body, "bob@example.org");
        Assert.Equal(QueueResult.Ok, q.MessageCommit(msgid));
        var psi = new System.Diagnostics.ProcessStartInfo("/usr/bin/gzip") { RedirectStandardOutput = true };
        psi.ArgumentList.Add("-dc");
        psi.ArgumentList.Add(spool.Paths.MessageFile(msgid));
        using var p = System.Diagnostics.Process.Start(psi)!;
        var output = new MemoryStream();
        p.StandardOutput.BaseStream.CopyTo(output);
        p.WaitForExit();
        Assert.Equal(0, p.ExitCode);
        Assert.Equal(FsQueueBackendTests.Body, output.ToArray());
    }
}
