// smtpctl encrypt [string]: a password hashed with crypt(3) for a credentials table, one line
// each, from the argument or else from every line of standard input. As OpenSMTPD portable's
// encrypt helper on a libxcrypt system, the first method of its list this libcrypt offers wins,
// at the list's cost: yescrypt ("$y$", cost 8) wherever libxcrypt is current, then bcrypt
// ("$2b$", 10) and SHA-512 ("$6$", 5000 rounds). Any of them checks against AUTH.
// Behaviour reference: contrib/libexec/encrypt/encrypt.c, usr.sbin/smtpd/smtpctl.c (do_encrypt).
using System.Text;
using Smtpd.Interop;

namespace Smtpd.Ctl;

internal static class Encrypt
{
    /// <summary>encrypt.c's methods, strongest first, with the cost it asks for each.</summary>
    private static readonly (string Prefix, ulong Count)[] Methods =
    [
        ("$y$", 8), ("$gy$", 8), ("$7$", 8), ("$2a$", 10), ("$2b$", 10), ("$2y$", 10),
        ("$6$", 5000), ("$5$", 5000), ("$3$", 1), ("$2$", 10), ("$1$", 1000),
    ];

    /// <summary>Prints the hash of <paramref name="password"/>, or of each line of <paramref name="input"/> when null.</summary>
    public static int Run(string? password, TextReader input, TextWriter output, TextWriter errors)
    {
        if (password is not null)
        {
            return Print(password, output, errors);
        }

        // Lines lose their newline only, as getline() and the helper's one-character strip.
        while (input.ReadLine() is { } line)
        {
            if (Print(line, output, errors) != 0)
            {
                return 1;
            }
        }

        return 0;
    }

    /// <summary>The hash of <paramref name="password"/> (its UTF-8 bytes), or null when no method works.</summary>
    public static string? Hash(string password)
    {
        byte[] phrase = Encoding.UTF8.GetBytes(password);
        foreach (var (prefix, count) in Methods)
        {
            if (Posix.CryptGenSalt(prefix, count) is not { } setting)
            {
                continue;
            }

            if (Posix.Crypt(phrase, setting) is { } hash && hash.StartsWith(setting, StringComparison.Ordinal))
            {
                return hash;
            }
        }

        return null;
    }

    private static int Print(string password, TextWriter output, TextWriter errors)
    {
        if (Hash(password) is not { } hash)
        {
            errors.WriteLine("smtpctl: encrypt: crypt(3) offers no usable hashing method");
            return 1;
        }

        output.WriteLine(hash);
        return 0;
    }
}
