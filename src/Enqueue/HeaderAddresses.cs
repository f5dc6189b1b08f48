// The addresses in a From, To, Cc or Bcc header value: "Name <a@b>, c@d (comment), group: e@f;"
// gives a@b, c@d and e@f. MimeKit's RFC 5322 address parser does the work: display names,
// comments and group names are dropped, group members are flattened, an obsolete source route
// ("<@relay:user@host>") is left out, and a quoted local part stays quoted. A value MimeKit cannot
// parse (an unbalanced quote, comment or bracket) is a syntax error, as enqueue.c's
// parse_addr_terminal() reports it.
// Behaviour reference: usr.sbin/smtpd/enqueue.c parse_addr().
using MimeKit;

namespace Smtpd.Enqueue;

internal static class HeaderAddresses
{
    // MimeKit's default (loose) mode closes an unterminated quote or angle bracket itself; enqueue.c
    // refuses such a header, and so do we. A bare local part ("root") stays allowed.
    private static readonly ParserOptions Strict = CreateOptions();

    /// <summary>The addr-specs in <paramref name="value"/> (the unfolded header body), or null on a syntax error.</summary>
    public static List<string>? Parse(string value)
    {
        if (!InternetAddressList.TryParse(Strict, value, out var list))
        {
            // An empty value (or one of white space and comments only) names nobody; it is no error.
            return string.IsNullOrWhiteSpace(value) ? [] : null;
        }

        var result = new List<string>();
        Flatten(list, result);
        return result;
    }

    private static ParserOptions CreateOptions()
    {
        var options = ParserOptions.Default.Clone();
        options.AddressParserComplianceMode = RfcComplianceMode.Strict;
        options.AllowAddressesWithoutDomain = true;
        return options;
    }

    private static void Flatten(IEnumerable<InternetAddress> addresses, List<string> into)
    {
        foreach (var address in addresses)
        {
            switch (address)
            {
                case MailboxAddress mailbox:
                    into.Add(mailbox.Address);
                    break;
                case GroupAddress group:
                    Flatten(group.Members, into);
                    break;
            }
        }
    }
}
