// How much of the original message a failure report carries back (RFC 3461 RET=HDRS|FULL).
namespace Smtpd.Mime;

internal enum DsnReturn
{
    Headers,
    Full,
}
