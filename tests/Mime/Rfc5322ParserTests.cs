using System.Text;
using Smtpd.Mime;

namespace Smtpd.Tests.Mime;

public class Rfc5322ParserTests
{
    // Runs lines (null = end of message) through the parser and returns one readable entry per event.
    private static List<string> Run(Rfc5322Parser p, IEnumerable<string?> lines, Func<Rfc5322Parser, bool>? unfoldWhen = null)
    {
        var events = new List<string>();
        foreach (var line in lines)
        {
            Assert.True(line is null ? p.PushEnd() : p.Push(Encoding.Latin1.GetBytes(line)));
            while (true)
            {
                var ev = p.Next();
                if (ev == Rfc5322Event.None)
                {
                    break;
                }

                string name = Encoding.Latin1.GetString(p.Name);
                string value = Encoding.Latin1.GetString(p.Value);
                events.Add(ev switch
                {
                    Rfc5322Event.HeaderStart => $"start {name}|{value}",
                    Rfc5322Event.HeaderContinuation => $"cont {name}|{value}",
                    Rfc5322Event.HeaderEnd => $"end {name}|{value}",
                    Rfc5322Event.EndOfHeaders => "eoh",
                    Rfc5322Event.BodyStart => "bodystart",
                    Rfc5322Event.Body => $"body|{value}",
                    Rfc5322Event.EndOfMessage => "eom",
                    _ => $"error {p.Error}",
                });
                if (ev == Rfc5322Event.HeaderStart && unfoldWhen?.Invoke(p) == true)
                {
                    Assert.True(p.UnfoldHeader());
                }

                if (ev is Rfc5322Event.EndOfMessage or Rfc5322Event.Error)
                {
                    return events;
                }
            }
        }

        return events;
    }

    private static List<string> Run(params string?[] lines) => Run(new Rfc5322Parser(), lines);

    [Fact]
    public void HeaderFieldsThenSeparatorThenBody()
    {
        Assert.Equal(
            ["start From| alice@example.org", "end From|", "start Subject| hi", "end Subject|", "eoh", "bodystart", "body|hello", "body|", "body|bye", "eom"],
            Run("From: alice@example.org", "Subject: hi", "", "hello", "", "bye", null));
    }

    [Fact]
    public void FoldedLinesAreContinuationsAndCanBeUnfolded()
    {
        var lines = new[] { "To: a@example.org,", "\tb@example.org,", "  c@example.org", "Subject: x", "", "body", null };
        Assert.Equal(
            ["start To| a@example.org,", "cont To|\tb@example.org,", "cont To|  c@example.org", "end To|", "start Subject| x", "end Subject|", "eoh", "bodystart", "body|body", "eom"],
            Run(lines));

        var unfolded = Run(new Rfc5322Parser(), lines, p => p.NameIs("to"u8));
        Assert.Contains("end To| a@example.org,\n\tb@example.org,\n  c@example.org", unfolded);
        Assert.Contains("end Subject|", unfolded);
    }

    [Fact]
    public void BareHeaderWithoutSeparatorOrBody()
    {
        Assert.Equal(["start Subject| only", "end Subject|", "eoh", "eom"], Run("Subject: only", null));
    }

    [Fact]
    public void HeaderAndSeparatorButNoBody()
    {
        Assert.Equal(["start Subject| x", "end Subject|", "eoh", "bodystart", "eom"], Run("Subject: x", "", null));
    }

    [Fact]
    public void EmptyMessageAndBodyOnlyMessage()
    {
        Assert.Equal(["eoh", "eom"], Run([null]));
        Assert.Equal(["eoh", "bodystart", "body|text", "eom"], Run("", "text", null));
    }

    [Fact]
    public void BodyGluedToTheHeaderIsMalformedAsInOpenSmtpd()
    {
        Assert.Equal(["start Subject| x", "end Subject|", "eoh", "error Malformed"], Run("Subject: x", "no colon here", null));
        Assert.Equal(["eoh", "error Malformed"], Run(" leading space first", null));
    }

    [Fact]
    public void ColonAnywhereMakesAFieldAndNamesKeepTheirBytes()
    {
        Assert.Equal(["start X Odd Name|v:w", "end X Odd Name|", "start Empty|", "end Empty|", "eoh", "eom"], Run("X Odd Name:v:w", "Empty:", null));
    }

    [Fact]
    public void EightBitBytesPassThroughUntouched()
    {
        var p = new Rfc5322Parser();
        byte[] header = [(byte)'S', (byte)'u', (byte)'b', (byte)':', (byte)' ', 0xc3, 0xa9, 0xff, 0x00];
        byte[] body = [0x80, 0x81, (byte)'F', (byte)'r', (byte)'o', (byte)'m', 0xfe];
        Assert.True(p.Push(header));
        Assert.Equal(Rfc5322Event.HeaderStart, p.Next());
        Assert.Equal(header[4..], p.Value.ToArray());
        Assert.Equal(Rfc5322Event.None, p.Next());
        Assert.True(p.Push([]));
        Assert.Equal(Rfc5322Event.HeaderEnd, p.Next());
        Assert.Equal(Rfc5322Event.EndOfHeaders, p.Next());
        Assert.Equal(Rfc5322Event.BodyStart, p.Next());
        Assert.True(p.Push(body));
        Assert.Equal(Rfc5322Event.Body, p.Next());
        Assert.Equal(body, p.Value.ToArray());
    }

    [Fact]
    public void LongBodyAndValueLinesAreFine()
    {
        string longValue = new('v', 200_000);
        var events = Run("X-Long: " + longValue, "", new string('b', 300_000), null);
        Assert.Equal("start X-Long| " + longValue, events[0]);
        Assert.Equal("body|" + new string('b', 300_000), events[4]);
    }

    [Fact]
    public void OverlongNameIsTooLong()
    {
        var p = new Rfc5322Parser();
        Assert.Equal(["start " + new string('n', 1022) + "|v", "end " + new string('n', 1022) + "|", "eoh", "eom"], Run(p, [new string('n', 1022) + ":v", null]));
        Assert.Equal(["error TooLong"], Run(new Rfc5322Parser(), [new string('n', 1023) + ":v", null]));
    }

    [Fact]
    public void OverlongUnfoldedValueIsTooLong()
    {
        var p = new Rfc5322Parser();
        var lines = new List<string?> { "To: x" };
        for (int i = 0; i < 70; i++)
        {
            lines.Add(" " + new string('a', 1000));
        }

        lines.Add(null);
        var events = Run(p, lines, q => q.NameIs("To"u8));
        Assert.Equal("error TooLong", events[^1]);
        Assert.Equal(Rfc5322Error.TooLong, p.Error);
    }

    [Fact]
    public void PushingTwiceWithoutReadingIsRefused()
    {
        var p = new Rfc5322Parser();
        Assert.True(p.Push("A: b"u8));
        Assert.False(p.Push("C: d"u8));
        Assert.False(p.PushEnd());
        Assert.Equal(Rfc5322Error.LinePending, p.Error);
    }

    [Fact]
    public void UnfoldOnlyRightAfterHeaderStartAndOnce()
    {
        var p = new Rfc5322Parser();
        Assert.False(p.UnfoldHeader());
        Assert.True(p.Push("A: b"u8));
        Assert.Equal(Rfc5322Event.HeaderStart, p.Next());
        Assert.True(p.UnfoldHeader());
        Assert.False(p.UnfoldHeader());
        Assert.Equal(Rfc5322Error.CannotUnfold, p.Error);
    }

    [Fact]
    public void NextAfterTheEndIsAnError()
    {
        var p = new Rfc5322Parser();
        Assert.Equal(Rfc5322Event.None, p.Next());
        Assert.True(p.PushEnd());
        Assert.Equal(Rfc5322Event.EndOfHeaders, p.Next());
        Assert.Equal(Rfc5322Event.EndOfMessage, p.Next());
        Assert.Equal(Rfc5322Event.Error, p.Next());
        Assert.Equal(Rfc5322Error.AfterEnd, p.Error);
        Assert.Equal(Rfc5322Event.Error, p.Next());
    }

    [Fact]
    public void ClearStartsANewMessage()
    {
        var p = new Rfc5322Parser();
        Run(p, ["Subject: x", "junk", null]);
        p.Clear();
        Assert.Equal(["start A| b", "end A|", "eoh", "eom"], Run(p, ["A: b", null]));
    }

    [Fact]
    public void DataStyleUseCountsReceivedDropsBccAndAddsXSpam()
    {
        // What smtp_tx_dataline does with the events: copy fields through, skip Bcc, add a field at the end of the header.
        string[] input = ["Received: from a", "\tby b", "Bcc: secret@example.org", "Received: from c", "Subject: s", "", "From me", "bye"];
        var p = new Rfc5322Parser();
        var output = new StringBuilder();
        int received = 0;
        bool skipping = false;
        foreach (var line in input.Append(null))
        {
            Assert.True(line is null ? p.PushEnd() : p.Push(Encoding.ASCII.GetBytes(line)));
            for (var ev = p.Next(); ev != Rfc5322Event.None && ev != Rfc5322Event.EndOfMessage; ev = p.Next())
            {
                switch (ev)
                {
                    case Rfc5322Event.HeaderStart:
                        skipping = p.NameIs("Bcc"u8);
                        received += p.NameIs("received"u8) ? 1 : 0;
                        if (!skipping)
                        {
                            output.Append(Encoding.ASCII.GetString(p.Name)).Append(':').Append(Encoding.ASCII.GetString(p.Value)).Append('\n');
                        }

                        break;
                    case Rfc5322Event.HeaderContinuation when !skipping:
                    case Rfc5322Event.BodyStart:
                    case Rfc5322Event.Body:
                        output.Append(Encoding.ASCII.GetString(p.Value)).Append('\n');
                        break;
                    case Rfc5322Event.EndOfHeaders:
                        output.Append("X-Spam: yes\n");
                        break;
                }
            }
        }

        Assert.Equal(2, received);
        Assert.Equal("Received: from a\n\tby b\nReceived: from c\nSubject: s\nX-Spam: yes\n\nFrom me\nbye\n", output.ToString());
    }

    [Fact]
    public void RandomLinesNeverThrow()
    {
        var rng = new Random(5322);
        for (int round = 0; round < 500; round++)
        {
            var p = new Rfc5322Parser();
            int n = rng.Next(0, 12);
            for (int i = 0; i <= n; i++)
            {
                var line = new byte[rng.Next(0, 40)];
                rng.NextBytes(line);
                if (rng.Next(4) == 0 && line.Length > 0)
                {
                    line[0] = (byte)" \t:"[rng.Next(3)];
                }

                bool pushed = i == n ? p.PushEnd() : p.Push(line);
                Assert.True(pushed);
                if (rng.Next(3) == 0 && p.Next() == Rfc5322Event.HeaderStart)
                {
                    p.UnfoldHeader();
                }

                Rfc5322Event ev;
                do
                {
                    ev = p.Next();
                }
                while (ev is not (Rfc5322Event.None or Rfc5322Event.Error or Rfc5322Event.EndOfMessage));
                if (ev != Rfc5322Event.None)
                {
                    break;
                }
            }
        }
    }
}
