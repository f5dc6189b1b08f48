// The three outcomes of a local delivery, named as the "mda delivery" log line prints them.
// Behaviour reference: usr.sbin/smtpd/mda.c (MDA_OK, MDA_TEMPFAIL, MDA_PERMFAIL; mda_log)
namespace Smtpd.Mda;

internal enum MdaResultKind
{
    Ok,
    TempFail,
    PermFail,
}
