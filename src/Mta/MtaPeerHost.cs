// One peer address the mta connects to, with the name it was found under (the MX or relay host
// name), its open sessions and when the last one started (OpenSMTPD's mta_host).
// Behaviour reference: usr.sbin/smtpd/mta.c (struct mta_host).
namespace Smtpd.Mta;

internal sealed class MtaPeerHost
{
    public MtaPeerHost(string address, string name)
    {
        Address = address;
        Name = name;
    }

    public string Address { get; }

    public string Name { get; }

    public int NConn { get; set; }

    public DateTimeOffset? LastConn { get; set; }
}
