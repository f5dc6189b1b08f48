// `make bench` entry: `smtpd.Bench ipc [count] [payload-bytes]`.
namespace Smtpd.Bench;

internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        switch (args.FirstOrDefault())
        {
            case "ipc-peer":
                return await IpcBench.PeerAsync();
            case "ipc":
            case null:
                int count = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 1_000_000;
                int size = args.Length > 2 ? int.Parse(args[2], System.Globalization.CultureInfo.InvariantCulture) : 64;
                return await IpcBench.RunAsync(count, size);
            default:
                Console.Error.WriteLine("usage: smtpd.Bench [ipc [count] [payload-bytes]]");
                return 1;
        }
    }
}
