// Forward-confirmed reverse DNS, in the words the filter protocol reports it (pass/fail/error).
namespace Smtpd.Dns;

internal enum FcrdnsResult
{
    Pass,
    Fail,
    Error,
}
