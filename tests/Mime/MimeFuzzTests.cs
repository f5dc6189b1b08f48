using System.Text;
using Smtpd.Mime;

namespace Smtpd.Tests.Mime;

// Random input never raises anything but the declared results (STYLE: every parser gets a fuzz property).
public class MimeFuzzTests
{
    private const string Alphabet = "<>()\"\\,:;@ \t\nabc.-+=?/[]%{}0123456789\u00e9";

    private static string RandomText(Random rng, int max)
    {
        var chars = new char[rng.Next(0, max)];
        for (int i = 0; i < chars.Length; i++)
        {
            chars[i] = Alphabet[rng.Next(Alphabet.Length)];
        }

        return new string(chars);
    }

    [Fact]
    public void ReplyParsingNeverThrows()
    {
        var rng = new Random(3463);
        for (int i = 0; i < 2000; i++)
        {
            string reply = rng.Next(3) switch
            {
                0 => RandomText(rng, 20),
                1 => "55" + rng.Next(10) + " " + RandomText(rng, 12),
                _ => "550 " + rng.Next(7) + "." + rng.Next(1200) + "." + rng.Next(1200) + RandomText(rng, 4),
            };
            var status = EnhancedStatus.FromReply(reply);
            Assert.True(status.Class is EnhancedStatusClass.Success or EnhancedStatusClass.TempFail or EnhancedStatusClass.PermFail);
            Assert.NotNull(status.Description);
        }
    }

    [Fact]
    public async Task BouncesOfRandomMessagesAreWellFormed()
    {
        var rng = new Random(3464);
        for (int i = 0; i < 100; i++)
        {
            var original = new byte[rng.Next(0, 400)];
            rng.NextBytes(original);
            for (int k = 0; k < original.Length; k++)
            {
                if (rng.Next(8) == 0)
                {
                    original[k] = (byte)'\n';
                }
            }

            var report = new BounceReport
            {
                Type = (BounceType)rng.Next(4),
                ReportingMta = "mx.example.org",
                To = RandomText(rng, 20),
                Date = DateTimeOffset.UnixEpoch,
                Return = (DsnRet)rng.Next(2),
                Recipients = [new BounceRecipient { FinalRecipient = RandomText(rng, 20), Status = EnhancedStatus.FromReply("550 5.1.1"), DiagnosticCode = RandomText(rng, 200), OriginalRecipient = RandomText(rng, 10) }],
            };
            var output = new MemoryStream();
            await BounceBuilder.WriteAsync(report, new MemoryStream(original), output);
            var msg = MimeReader.Parse(Encoding.Latin1.GetString(output.ToArray()));
            Assert.Equal(3, msg.Parts.Count);
            Assert.Equal("message/delivery-status", msg.Parts[1].ContentType);
        }
    }
}
