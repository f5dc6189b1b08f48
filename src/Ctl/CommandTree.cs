// smtpctl's command grammar as OpenSMTPD's parser.c builds it: patterns installed in order form
// a tree of words; an argument matches a child exactly (or as a typed parameter: <str>, <msgid>
// of 8 hex digits, <evpid> of 16, <addr>), failing that as the unique prefix of a keyword ("sh q"
// is "show queue"). What cannot be matched lists the possibilities at that point and fails.
// Behaviour reference: usr.sbin/smtpd/parser.c (cmd_install, cmd_check, cmd_run).
using System.Globalization;
using System.Net;

namespace Smtpd.Ctl;

internal enum ParamKind
{
    Token,
    Str,
    MsgId,
    EvpId,
    Addr,
    RouteId,
}

/// <summary>A parameter the command line gave for a typed word: its kind and value.</summary>
internal readonly record struct CtlParam(ParamKind Kind, string Text, ulong Id);

internal sealed class CommandTree
{
    private readonly Node _root = new(ParamKind.Token, string.Empty);

    public void Install(string pattern, Func<IReadOnlyList<CtlParam>, int> run)
    {
        var node = _root;
        foreach (string word in pattern.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var child = node.Children.FirstOrDefault(c => c.Word == word);
            if (child is null)
            {
                child = new Node(KindOf(word), word);
                node.Children.Add(child);
            }

            node = child;
        }

        if (node.Run is not null)
        {
            throw new InvalidOperationException("duplicate pattern: " + pattern);
        }

        node.Run = run;
    }

    /// <summary>Runs the command the arguments name; -1 after listing what could have been meant (cmd_run).</summary>
    public int Run(IReadOnlyList<string> args, TextWriter errors)
    {
        var node = _root;
        var parameters = new List<CtlParam>();
        var stack = new List<Node>();
        int i;
        for (i = 0; i < args.Count; i++)
        {
            Node? next = null;
            CtlParam param = default;
            foreach (var child in node.Children)
            {
                if (Check(args[i], child, out param))
                {
                    next = child;
                    break;
                }
            }

            if (next is null)
            {
                var prefixed = node.Children.Where(c => c.Kind == ParamKind.Token && c.Word.StartsWith(args[i], StringComparison.Ordinal)).ToList();
                if (prefixed.Count != 1)
                {
                    return Fail(node, stack, errors);
                }

                next = prefixed[0];
                param = new CtlParam(ParamKind.Token, next.Word, 0);
            }

            stack.Add(next);
            node = next;
            if (next.Kind != ParamKind.Token)
            {
                parameters.Add(param);
            }
        }

        return node.Run is { } run ? run(parameters) : Fail(node, stack, errors);
    }

    private static int Fail(Node node, List<Node> stack, TextWriter errors)
    {
        if (node.Children.Count == 0)
        {
            errors.WriteLine("invalid command");
            return -1;
        }

        errors.WriteLine("possibilities are:");
        string prefix = string.Join(' ', stack.Select(n => n.Word));
        foreach (var child in node.Children)
        {
            errors.WriteLine(prefix.Length == 0 ? child.Word : prefix + " " + child.Word);
        }

        return -1;
    }

    private static bool Check(string arg, Node node, out CtlParam param)
    {
        param = default;
        switch (node.Kind)
        {
            case ParamKind.Token:
                return arg == node.Word;
            case ParamKind.Str:
                param = new CtlParam(ParamKind.Str, arg, 0);
                return true;
            case ParamKind.MsgId when arg.Length == 8 && HexId(arg) is { } msgid and not 0:
                param = new CtlParam(ParamKind.MsgId, arg, msgid);
                return true;
            case ParamKind.EvpId when arg.Length == 16 && HexId(arg) is { } evpid and not 0:
                param = new CtlParam(ParamKind.EvpId, arg, evpid);
                return true;
            case ParamKind.RouteId when long.TryParse(arg, NumberStyles.None, CultureInfo.InvariantCulture, out long route) && route >= 1:
                param = new CtlParam(ParamKind.RouteId, arg, (ulong)route);
                return true;
            case ParamKind.Addr when IPAddress.TryParse(arg, out _):
                param = new CtlParam(ParamKind.Addr, arg, 0);
                return true;
            default:
                return false;
        }
    }

    private static ulong? HexId(string text) =>
        ulong.TryParse(text, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out ulong v) ? v : null;

    private static ParamKind KindOf(string word) => word switch
    {
        "<str>" => ParamKind.Str,
        "<msgid>" => ParamKind.MsgId,
        "<evpid>" => ParamKind.EvpId,
        "<addr>" => ParamKind.Addr,
        "<routeid>" => ParamKind.RouteId,
        _ => ParamKind.Token,
    };

    private sealed class Node(ParamKind kind, string word)
    {
        public ParamKind Kind { get; } = kind;

        public string Word { get; } = word;

        public List<Node> Children { get; } = [];

        public Func<IReadOnlyList<CtlParam>, int>? Run { get; set; }
    }
}
