// One running table program: its pipes, and a reader thread that turns its stdout into lines,
// so a question can wait for an answer with a timeout instead of blocking the lookup agent.
// Behaviour reference: usr.sbin/smtpd/smtpd.c fork_proc_backend(), table_proc.c.
using System.Collections.Concurrent;
using System.Diagnostics;

namespace Smtpd.Tables;

internal sealed class ProcTableProcess : IDisposable
{
    // The reader's end-of-stream marker; a real line never equals it because it has no '|'.
    private const string Eof = "\0eof";

    private readonly Process _process;
    private readonly BlockingCollection<string> _lines = new();

    private ProcTableProcess(Process process)
    {
        _process = process;
        var reader = new Thread(ReadLines) { IsBackground = true, Name = "table-proc" };
        reader.Start();
    }

    /// <summary>Starts <paramref name="program"/> with the configured argument (OpenSMTPD also sets argv[0] to the table name; Process cannot).</summary>
    public static ProcTableProcess Start(string program, string? argument)
    {
        var psi = new ProcessStartInfo(program)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = false,
            UseShellExecute = false,
        };
        if (argument is not null)
        {
            psi.ArgumentList.Add(argument);
        }

        var process = Process.Start(psi) ?? throw new InvalidOperationException("the process did not start");
        process.StandardInput.AutoFlush = false;
        process.StandardInput.NewLine = "\n";
        return new ProcTableProcess(process);
    }

    /// <summary>Sends <paramref name="request"/> (if any) and waits for the next line; null with a reason on death or timeout.</summary>
    public string? Exchange(string? request, TimeSpan timeout, out string? failure)
    {
        failure = null;
        try
        {
            if (request is not null)
            {
                _process.StandardInput.WriteLine(request);
                _process.StandardInput.Flush();
            }
        }
        catch (IOException e)
        {
            failure = "the table program is gone (" + e.Message + ")";
            return null;
        }

        if (!_lines.TryTake(out string? line, timeout))
        {
            failure = $"no answer within {timeout.TotalSeconds:0} seconds";
            return null;
        }

        if (line == Eof)
        {
            failure = _process.WaitForExit(1000) ? $"the table program exited with status {_process.ExitCode}" : "the table program closed its output";
            return null;
        }

        return line;
    }

    public void Dispose()
    {
        try
        {
            _process.StandardInput.Close();
            if (!_process.WaitForExit(500))
            {
                _process.Kill();
            }
        }
        catch (Exception e) when (e is IOException or InvalidOperationException or System.ComponentModel.Win32Exception)
        {
            // Already gone: nothing left to stop.
        }

        _process.Dispose();
    }

    private void ReadLines()
    {
        try
        {
            while (_process.StandardOutput.ReadLine() is { } line)
            {
                _lines.Add(line);
            }
        }
        catch (Exception e) when (e is IOException or ObjectDisposedException or InvalidOperationException)
        {
            // A closed pipe is the same as end of output.
        }

        _lines.TryAdd(Eof);
    }
}
