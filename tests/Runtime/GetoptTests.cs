// The getopt smtpd and smtp share: clusters, attached and separate values, "--", operands, long options handed back.
using Smtpd.Runtime;

namespace Smtpd.Tests.Runtime;

public class GetoptTests
{
    private static List<string> Walk(string[] args, string withValue, out int firstOperand)
    {
        var seen = new List<string>();
        var g = new Getopt(args, withValue);
        while (g.Next(out char c, out string? value) is var step && step != GetoptStep.End)
        {
            if (step == GetoptStep.LongOption)
            {
                seen.Add("long " + args[g.Index]);
                g.Index++;
                continue;
            }

            seen.Add(step == GetoptStep.MissingValue ? $"{c} missing" : value is null ? c.ToString() : $"{c}={value}");
        }

        firstOperand = g.Index;
        return seen;
    }

    [Fact]
    public void ClustersAttachedAndSeparateValuesThenOperands()
    {
        Assert.Equal(["d", "v", "f=smtpd.conf", "T=smtp", "v"], Walk(["-dvfsmtpd.conf", "-T", "smtp", "-v", "rcpt@x", "-n"], "fT", out int first));
        Assert.Equal(4, first);
    }

    [Fact]
    public void DoubleDashEndsOptionsAndLongOnesAreHandedBack()
    {
        Assert.Equal(["long --queue-dir=/q", "d"], Walk(["--queue-dir=/q", "-d", "--", "-v"], "f", out int first));
        Assert.Equal(3, first);
    }

    [Fact]
    public void AValueOptionLastWithoutItsValueIsReported()
    {
        Assert.Equal(["v", "f missing"], Walk(["-vf"], "f", out int first));
        Assert.Equal(1, first);
    }
}
