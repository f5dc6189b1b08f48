// getopt(3) for the programs' short options, as OpenSMTPD's smtpd and smtp read theirs: flags may
// be clustered (-dv), an option's value attached (-fsmtpd.conf) or the next argument (-f file),
// "--" or the first argument that is not an option ends them. An argument starting with "--" is
// handed back whole, for the caller's long options.
namespace Smtpd.Runtime;

internal enum GetoptStep
{
    /// <summary>An option: a flag (value null) or one that takes a value.</summary>
    Option,

    /// <summary>An option that takes a value came last, without one.</summary>
    MissingValue,

    /// <summary>The argument at Index starts with "--": the caller reads it and moves Index past it.</summary>
    LongOption,

    /// <summary>No more options; Index is the first operand.</summary>
    End,
}

internal sealed class Getopt
{
    private readonly IReadOnlyList<string> _args;
    private readonly string _withValue;

    // Where in the current argument the next flag of a cluster is; 0: at the next argument.
    private int _char;

    /// <param name="args">The arguments, without the program name.</param>
    /// <param name="withValue">The option letters that take a value.</param>
    public Getopt(IReadOnlyList<string> args, string withValue)
    {
        _args = args;
        _withValue = withValue;
    }

    /// <summary>The next argument to read; at End, the first operand.</summary>
    public int Index { get; set; }

    public GetoptStep Next(out char option, out string? value)
    {
        option = '\0';
        value = null;
        if (_char == 0)
        {
            if (Index >= _args.Count)
            {
                return GetoptStep.End;
            }

            string a = _args[Index];
            if (a == "--")
            {
                Index++;
                return GetoptStep.End;
            }

            if (a.StartsWith("--", StringComparison.Ordinal))
            {
                return GetoptStep.LongOption;
            }

            if (a.Length < 2 || a[0] != '-')
            {
                return GetoptStep.End;
            }

            _char = 1;
        }

        string arg = _args[Index];
        option = arg[_char++];
        if (_withValue.Contains(option, StringComparison.Ordinal))
        {
            value = _char < arg.Length ? arg[_char..] : Index + 1 < _args.Count ? _args[++Index] : null;
            _char = 0;
            Index++;
            return value is null ? GetoptStep.MissingValue : GetoptStep.Option;
        }

        if (_char >= arg.Length)
        {
            _char = 0;
            Index++;
        }

        return GetoptStep.Option;
    }
}
