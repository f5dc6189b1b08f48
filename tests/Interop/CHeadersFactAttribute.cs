// A fact that compares with the C headers: skipped, with the reason, where no C compiler is.
namespace Smtpd.Tests.Interop;

[AttributeUsage(AttributeTargets.Method)]
public sealed class CHeadersFactAttribute : FactAttribute
{
    public CHeadersFactAttribute()
    {
        if (CHeaders.Unavailable is { } why)
        {
            Skip = why;
        }
    }
}
