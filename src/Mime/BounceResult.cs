// What the caller must know about a written bounce: whether it needs BODY=8BITMIME to travel.
namespace Smtpd.Mime;

internal readonly record struct BounceResult(bool EightBit, long Bytes);
