// The outcomes of a local delivery. The log line prints Loop as PermFail; the queue tells it
// apart because its bounce says the message went round in a loop.
// Behaviour reference: usr.sbin/smtpd/mda.c (MDA_OK, MDA_TEMPFAIL, MDA_PERMFAIL; mda_log;
// mda_queue_loop)
namespace Smtpd.Mda;

internal enum MdaResultKind
{
    Ok,
    TempFail,
    PermFail,
    Loop,
}
