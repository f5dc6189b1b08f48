// What a table is asked for (smtpd.h enum table_service); the key format and how a key matches
// an entry depend on it.
namespace Smtpd.Tables;

[Flags]
internal enum TableService
{
    None = 0,
    Alias = 0x001,
    Domain = 0x002,
    Credentials = 0x004,
    Netaddr = 0x008,
    Userinfo = 0x010,
    Source = 0x020,
    Mailaddr = 0x040,
    Addrname = 0x080,
    Mailaddrmap = 0x100,
    Relayhost = 0x200,
    String = 0x400,
    Regex = 0x800,
}
