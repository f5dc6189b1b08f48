// Forward-confirmed reverse DNS, in the words the filter protocol reports it (pass/fail/error).
// The lookup agent finds it and sends it to the dispatcher (LkaClientLookupReply): values are wire format.
namespace Smtpd.Ipc.Messages;

internal enum FcrdnsResult : byte
{
    Pass = 0,
    Fail = 1,
    Error = 2,
}
