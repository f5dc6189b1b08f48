// A credentials table entry: "user:hash", or just the hash with the key as the user. For AUTH the
// password part is a crypt(3) hash; for a relay's `auth <table>` it is the password to send.
// Behaviour reference: usr.sbin/smtpd/table.c table_parse_lookup() (K_CREDENTIALS).
namespace Smtpd.Tables;

internal sealed record Credentials(string Username, string Password)
{
    /// <summary>Longer values do not fit an SMTP line (LINE_MAX), so they are refused as OpenSMTPD does.</summary>
    public const int MaxLength = 2047;

    /// <summary>
    /// The entry for <paramref name="key"/>; null when the value is malformed (shorter than three
    /// characters, too long, or an empty user or password around the colon). A malformed entry is
    /// a table that cannot answer, not an unknown user.
    /// </summary>
    public static Credentials? Parse(string key, string value)
    {
        if (value.Length < 3 || value.Length > MaxLength)
        {
            return null;
        }

        int colon = value.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            return new Credentials(key, value);
        }

        return colon == 0 || colon == value.Length - 1 ? null : new Credentials(value[..colon], value[(colon + 1)..]);
    }
}
