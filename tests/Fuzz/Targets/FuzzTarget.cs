// One parser under fuzzing: its name (the corpus directory), what it does with the input bytes,
// and the exception types that are the parser's own way of saying "malformed" (anything else a
// parser throws is a bug: a crash of the role that reads those bytes).
namespace Smtpd.Fuzz;

internal sealed record FuzzTarget(string Name, Action<byte[]> Run, params Type[] Expected)
{
    public bool IsExpected(Exception e) => Expected.Any(t => t.IsInstanceOfType(e));
}
