// What one entry of an alias, virtual or .forward expansion is, in OpenSMTPD's order (the order
// also decides which reading wins when a text could be several kinds).
// Behaviour reference: usr.sbin/smtpd/smtpd.h enum expand_type, to.c text_to_expandnode().
namespace Smtpd.Lka;

internal enum ExpandNodeKind
{
    Username = 0,
    Filename = 1,
    Filter = 2,
    Include = 3,
    Address = 4,
    Error = 5,
}
