// The bounded part of the fuzzing campaign, in every `make test`: each target replays its seed
// corpus (tests/Fuzz/corpus/TARGET, grown by `make fuzz`) and a fixed-seed batch of mutations of
// it. A parser may refuse anything with its own error type; any other exception, or an input
// that keeps it busy for seconds, fails the test with the input shown for replay.
using Smtpd.Fuzz;

namespace Smtpd.Tests.Fuzz;

public class FuzzReplayTests
{
    private const int Seed = 20261207;

    public static TheoryData<string> Targets() => [.. FuzzTargets.All.Select(t => t.Name)];

    internal static string CorpusDir(string target) => Path.Combine(AppContext.BaseDirectory, "Fuzz", "corpus", target);

    [Theory]
    [MemberData(nameof(Targets))]
    public void EveryCorpusInputAndItsMutationsParseOrFailWithTheParsersOwnError(string name)
    {
        var target = FuzzTargets.Find(name)!;
        var corpus = Directory.GetFiles(CorpusDir(name), "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).Select(File.ReadAllBytes).ToList();
        Assert.True(corpus.Count >= 3, $"the {name} corpus has {corpus.Count} inputs");

        // The slow parsers (the whole configuration loader) get fewer mutations: the replay stays a few seconds.
        int mutations = name == "config" ? 400 : 3000;
        var random = new Random(Seed + name.Sum(c => c));
        var inputs = corpus.Concat(Enumerable.Range(0, mutations).Select(_ => FuzzMutator.Mutate(corpus, random)));
        int n = 0;
        foreach (byte[] input in inputs)
        {
            var run = Task.Run(() => target.Run(input));
            bool finished;
            try
            {
                finished = run.Wait(TimeSpan.FromSeconds(20));
            }
            catch (AggregateException e) when (e.InnerException is { } inner && target.IsExpected(inner))
            {
                finished = true;
            }
            catch (AggregateException e)
            {
                Assert.Fail($"{name} input {n} threw {e.InnerException}\n--- input (base64) ---\n{Convert.ToBase64String(input)}");
                return;
            }

            Assert.True(finished, $"{name} input {n} ran for 20 s\n--- input (base64) ---\n{Convert.ToBase64String(input)}");
            n++;
        }
    }
}
