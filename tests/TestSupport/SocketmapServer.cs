// A socketmap server (Sendmail/Postfix protocol, netstrings) in a few lines of Python, answering
// "<map> <key>" from the text file named <map> in a directory: one "key value" per line, or a bare
// key for a list (answered with the key). Keys match exactly; files are re-read at each question.
using System.Diagnostics;

namespace Smtpd.Tests.TestSupport;

internal sealed class SocketmapServer : IDisposable
{
    private const string Script = """
        import os, socketserver, sys
        tables, path = sys.argv[1], sys.argv[2]
        def entries(name):
            found = {}
            for line in open(os.path.join(tables, name)):
                line = line.strip()
                if line and not line.startswith("#"):
                    key, _, value = line.partition(" ")
                    found[key] = value.strip() or key
            return found
        class Handler(socketserver.StreamRequestHandler):
            def handle(self):
                while True:
                    length = b""
                    while not length.endswith(b":"):
                        c = self.rfile.read(1)
                        if not c:
                            return
                        length += c
                    name, _, key = self.rfile.read(int(length[:-1]) + 1)[:-1].decode().partition(" ")
                    found = entries(name)
                    reply = ("OK " + found[key] if key in found else "NOTFOUND ").encode()
                    self.wfile.write(b"%d:%s," % (len(reply), reply))
        server = socketserver.ThreadingUnixStreamServer(path, Handler)
        os.chmod(path, 0o666)
        print("ready", flush=True)
        server.serve_forever()
        """;

    private readonly Process _process;

    private SocketmapServer(Process process, string path)
    {
        _process = process;
        Path = path;
    }

    public string Path { get; }

    public static SocketmapServer Start(string tablesDir, string socketPath)
    {
        var psi = new ProcessStartInfo("python3") { UseShellExecute = false, RedirectStandardOutput = true };
        foreach (string a in new[] { "-c", Script, tablesDir, socketPath })
        {
            psi.ArgumentList.Add(a);
        }

        var p = Process.Start(psi)!;
        Assert.Equal("ready", p.StandardOutput.ReadLine());
        return new SocketmapServer(p, socketPath);
    }

    public void Dispose()
    {
        if (!_process.HasExited)
        {
            _process.Kill();
            _process.WaitForExit();
        }

        _process.Dispose();
    }
}
