// afl-style havoc on a corpus, from a seeded Random so a failure replays: bit flips, interesting
// bytes, insertions and deletions, duplicated chunks, splices of two inputs, and the characters
// the protocols care about (CR, LF, '.', '|', '<', '>', '"', NUL, high bytes).
namespace Smtpd.Fuzz;

internal static class FuzzMutator
{
    private static readonly byte[] Interesting = "\r\n.|<>\"\\:@=,{}#%!\0 \t\xff\x80+-0"u8.ToArray();

    public static byte[] Mutate(IReadOnlyList<byte[]> corpus, Random random)
    {
        var data = new List<byte>(corpus[random.Next(corpus.Count)]);
        int rounds = 1 << random.Next(4);
        for (int i = 0; i < rounds; i++)
        {
            int at = data.Count == 0 ? 0 : random.Next(data.Count);
            switch (random.Next(7))
            {
                case 0 when data.Count > 0:
                    data[at] ^= (byte)(1 << random.Next(8));
                    break;
                case 1 when data.Count > 0:
                    data[at] = Interesting[random.Next(Interesting.Length)];
                    break;
                case 2:
                    data.Insert(at, Interesting[random.Next(Interesting.Length)]);
                    break;
                case 3 when data.Count > 0:
                    data.RemoveRange(at, Math.Min(data.Count - at, 1 + random.Next(16)));
                    break;
                case 4 when data.Count > 0:
                    int len = Math.Min(data.Count - at, 1 + random.Next(64));
                    var chunk = data.GetRange(at, len);
                    for (int n = random.Next(1, 8); n > 0; n--)
                    {
                        data.InsertRange(at, chunk);
                    }

                    break;
                case 5:
                    var other = corpus[random.Next(corpus.Count)];
                    int from = other.Length == 0 ? 0 : random.Next(other.Length);
                    data.InsertRange(at, other.Skip(from).Take(1 + random.Next(128)));
                    break;
                default:
                    data.Insert(at, (byte)random.Next(256));
                    break;
            }
        }

        return [.. data];
    }
}
