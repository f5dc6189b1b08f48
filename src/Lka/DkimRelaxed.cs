// The "relaxed" canonicalizations of RFC 6376 section 3.4, which the builtin DKIM signer uses
// for headers and body alike: what a verifier recomputes, so whitespace changes in transit
// (folding, trailing blanks, blank lines at the end) do not break the signature.
using System.Text;

namespace Smtpd.Lka;

internal static class DkimRelaxed
{
    /// <summary>
    /// One header field in relaxed form (section 3.4.2): its name lowercased, its value unfolded,
    /// each run of blanks one space, no blanks around the colon or at the end; then CRLF unless
    /// <paramref name="lineEnd"/> is false (the DKIM-Signature field itself is signed without).
    /// </summary>
    public static string Header(string name, string value, bool lineEnd = true)
    {
        var s = new StringBuilder(name.Length + value.Length + 3);
        s.Append(name.Trim(' ', '\t').ToLowerInvariant()).Append(':');
        int valueStart = s.Length;
        bool blank = false;
        foreach (char c in value)
        {
            if (c is '\r' or '\n')
            {
                continue;
            }

            if (c is ' ' or '\t')
            {
                blank = true;
                continue;
            }

            if (blank && s.Length > valueStart)
            {
                s.Append(' ');
            }

            blank = false;
            s.Append(c);
        }

        return lineEnd ? s.Append("\r\n").ToString() : s.ToString();
    }

    /// <summary>
    /// The body in relaxed form (section 3.4.4): in each line every run of blanks one space and
    /// none at the end, the empty lines at the end dropped, each line ended by CRLF; an empty body
    /// stays empty.
    /// </summary>
    public static string Body(IEnumerable<string> lines)
    {
        var s = new StringBuilder();
        int pendingEmpty = 0;
        var line = new StringBuilder();
        foreach (string raw in lines)
        {
            line.Clear();
            bool blank = false;
            foreach (char c in raw)
            {
                if (c is ' ' or '\t')
                {
                    blank = true;
                    continue;
                }

                if (blank)
                {
                    line.Append(' ');
                }

                blank = false;
                line.Append(c);
            }

            if (line.Length == 0)
            {
                pendingEmpty++;
                continue;
            }

            for (; pendingEmpty > 0; pendingEmpty--)
            {
                s.Append("\r\n");
            }

            s.Append(line).Append("\r\n");
        }

        return s.ToString();
    }
}
