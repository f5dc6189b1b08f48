// `make bench` entry: `smtpd.Bench all`, or one of `ipc [count] [payload-bytes]`, `config [rules]`,
// `tls [sessions] [concurrency]`.
namespace Smtpd.Bench;

internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "config":
                return ConfigBench.Run(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1000);
            case "all":
                return await IpcBench.RunAsync(1_000_000, 64) | ConfigBench.Run(1000) | await TlsBench.RunAsync(2000, 20);
            case "tls":
                return await TlsBench.RunAsync(args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 2000, args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 20);
            case "ipc-peer":
                return await IpcBench.PeerAsync();
            case "ipc":
            case null:
                int count = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000;
                int size = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 64;
                return await IpcBench.RunAsync(count, size);
            default:
                Console.Error.WriteLine("usage: smtpd.Bench [all | ipc [count] [payload-bytes] | config [rules] | tls [sessions] [concurrency]]");
                return 1;
        }
    }
}
