// The statements of smtpd.conf, by their first word: each is a production of the grammar.
// The statement loop (Parser.ParseAll) reads one statement's tokens and runs its production.
// Behaviour reference: usr.sbin/smtpd/parse.y (grammar: the alternatives of "main").
using Pidgin;

namespace Smtpd.Config;

internal static partial class Grammar
{
    private static Dictionary<string, Parser<Token, Action<Parser>>>? _statements;

    // Built on first use: by then every production (a static field of some partial file) is set.
    public static Dictionary<string, Parser<Token, Action<Parser>>> Statements => _statements ??= new(StringComparer.Ordinal)
    {
        ["action"] = Action,
        ["admd"] = Admd,
        ["bounce"] = Bounce,
        ["ca"] = Ca,
        ["filter"] = Filter,
        ["listen"] = Listen,
        ["match"] = Match,
        ["mda"] = Mda,
        ["mta"] = Mta,
        ["proc"] = Proc,
        ["queue"] = Queue,
        ["scheduler"] = Scheduler,
        ["smtp"] = Smtp,
        ["srs"] = Srs,
        ["pki"] = Pki,
        ["table"] = Table,

        // Before 6.4: translated, with a notice saying how each is written today.
        ["accept"] = Accept,
        ["reject"] = Reject,
        ["bounce-warn"] = BounceWarn,
        ["ciphers"] = Ciphers,
        ["expire"] = Expire,
        ["limit"] = LegacyLimit,
        ["max-message-size"] = MaxMessageSize,
        ["max-mta-deferred"] = MaxMtaDeferred,
        ["subaddressing-delimiter"] = SubaddressingDelimiter,
    };
}
