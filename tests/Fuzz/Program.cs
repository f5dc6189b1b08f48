// afl++'s target program (make fuzz): `smtpd.Fuzz TARGET` runs one target under SharpFuzz's
// out-of-process driver, reporting the coverage of the instrumented smtpd.dll. An exception
// that is not the target's own error type is rethrown, which afl records as a crash;
// `smtpd.Fuzz TARGET FILE...` replays inputs (a crash afl found) once each, without afl.
using SharpFuzz;
using Smtpd.Fuzz;

if (args.Length < 1 || FuzzTargets.Find(args[0]) is not { } target)
{
    Console.Error.WriteLine("usage: smtpd.Fuzz TARGET [FILE...]; targets: " + string.Join(' ', FuzzTargets.All.Select(t => t.Name)));
    return 2;
}

void RunOne(byte[] input)
{
    try
    {
        target.Run(input);
    }
    catch (Exception e) when (target.IsExpected(e))
    {
        // The parser's own verdict on a malformed input.
    }
}

if (args.Length > 1)
{
    foreach (string file in args[1..])
    {
        RunOne(File.ReadAllBytes(file));
        Console.WriteLine($"{file}: ok");
    }

    return 0;
}

Fuzzer.OutOfProcess.Run(stream =>
{
    using var copy = new MemoryStream();
    stream.CopyTo(copy);
    RunOne(copy.ToArray());
});
return 0;
