// One SMTP reply as the mta reads it from a peer: the code and the text. A multi-line reply is
// kept as OpenSMTPD's mta keeps it: the first line whole, the later lines' text (without their
// code and enhanced status) appended, so that logs, error lines and bounces show one line.
// Behaviour reference: usr.sbin/smtpd/mta_session.c (mta_io: replybuf).
namespace Smtpd.Mta;

internal readonly record struct MtaReply(int Code, string Text, IReadOnlyList<string> Lines)
{
    public bool IsPositive => Code is >= 200 and < 400;

    public bool IsPermanent => Code is >= 500 and < 600;

    /// <summary>The class digit as OpenSMTPD tests it (line[0]): '2', '3', '4', '5'.</summary>
    public char Class => (char)('0' + (Code / 100));

    /// <summary>A reply standing for what the peer never said: a dropped connection, a timeout.</summary>
    public static MtaReply Local(int code, string text) => new(code, text, [text]);

    /// <summary>Joins the lines of one reply ("250-a", "250 b"); each line is already checked to start with the code.</summary>
    public static MtaReply FromLines(int code, List<string> lines)
    {
        if (lines.Count == 1)
        {
            return new MtaReply(code, lines[0], lines);
        }

        var text = new System.Text.StringBuilder(lines[0]);
        foreach (var line in lines.Skip(1))
        {
            string rest = line.Length > 4 ? line[4..] : string.Empty;
            if (rest.Length > 6 && char.IsAsciiDigit(rest[0]) && rest[1] == '.' && char.IsAsciiDigit(rest[2]) && rest[3] == '.')
            {
                int sp = rest.IndexOf(' ', StringComparison.Ordinal);
                rest = sp > 0 ? rest[(sp + 1)..] : rest;
            }

            text.Append(' ').Append(rest);
        }

        return new MtaReply(code, text.ToString(), lines);
    }

    public override string ToString() => Text;
}
