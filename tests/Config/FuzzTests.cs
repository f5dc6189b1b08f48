// Random mutations of the valid corpus never make the loader throw: every input gives a model or errors.
namespace Smtpd.Tests.Config;

using Smtpd.Config;

public sealed class FuzzTests
{
    private const int Mutations = 3000;

    [Fact]
    public void MutatedConfigurationsNeverThrow()
    {
        var corpus = Directory.GetFiles(GoldenCorpus.OutputDir("valid"), "*.conf").Order(StringComparer.Ordinal).Select(File.ReadAllText).ToArray();
        var random = new Random(20260101);
        for (var i = 0; i < Mutations; i++)
        {
            var text = Mutate(corpus[random.Next(corpus.Length)], random);
            ConfigLoadResult result;
            try
            {
                // A name in a directory that does not exist, so mutated includes cannot read real files.
                result = ConfigLoader.LoadFromString(text, "/nonexistent-smtpd-fuzz/fuzz.conf");
            }
            catch (Exception e)
            {
                Assert.Fail($"mutation {i} threw {e}\n--- input ---\n{text}");
                return;
            }
            Assert.True(result.Success ^ (result.Errors.Count > 0), $"mutation {i}: a model and errors, or neither");
            if (result.Success)
            {
                // Whatever is accepted must also print and serialize.
                var printed = ConfigPrinter.Print(result.Config!);
                Assert.Equal(result.Config, ConfigSerializer.Deserialize(ConfigSerializer.Serialize(result.Config!)));
                Assert.NotNull(printed);
            }
        }
    }

    private static string Mutate(string text, Random random)
    {
        // Half the time, damage single characters, which also splits and merges tokens.
        if (random.Next(2) == 0 && text.Length > 0)
        {
            var chars = text.ToList();
            for (var n = 1 + random.Next(3); n > 0 && chars.Count > 0; n--)
            {
                var at = random.Next(chars.Count);
                if (random.Next(2) == 0)
                {
                    chars.RemoveAt(at);
                }
                else
                {
                    chars.Insert(at, "\"'{}<>!=,#$\\\n \0x9;"[random.Next(16)]);
                }
            }
            return new string([.. chars]);
        }
        var tokens = text.Split(' ').ToList();
        var rounds = 1 + random.Next(3);
        for (var r = 0; r < rounds && tokens.Count > 0; r++)
        {
            var i = random.Next(tokens.Count);
            switch (random.Next(7))
            {
                case 0:
                    tokens.RemoveAt(i);
                    break;
                case 1:
                    tokens.Insert(i, tokens[i]);
                    break;
                case 2:
                    var j = random.Next(tokens.Count);
                    (tokens[i], tokens[j]) = (tokens[j], tokens[i]);
                    break;
                case 3:
                    var bytes = new char[1 + random.Next(4)];
                    for (var k = 0; k < bytes.Length; k++)
                    {
                        bytes[k] = (char)random.Next(0, 128);
                    }
                    tokens.Insert(i, new string(bytes));
                    break;
                case 4:
                    var joined = string.Join(' ', tokens);
                    tokens = [.. joined[..random.Next(joined.Length + 1)].Split(' ')];
                    break;
                case 5:
                    tokens.Insert(i, Keywords.All[random.Next(Keywords.All.Length)]);
                    break;
                default:
                    tokens.Insert(i, random.Next(4) switch { 0 => "{", 1 => "}", 2 => "\"", _ => "\\\n" });
                    break;
            }
        }
        return string.Join(' ', tokens);
    }
}
