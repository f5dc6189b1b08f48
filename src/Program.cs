// Entry point: chooses a program by the name the binary was called as, or a role by `-x ROLE`.
// Nothing else lives here (shared/DESIGN.md section 11).
namespace Smtpd;

internal static class Program
{
    private static int Main(string[] args)
    {
        System.Console.WriteLine("smtpd skeleton");
        return 0;
    }
}
