// Why a format could not be expanded; in OpenSMTPD every one of these is the same -1, which makes
// the delivery fail ("mda command line could not be expanded").
// Behaviour reference: usr.sbin/smtpd/mda_variables.c
namespace Smtpd.Mda;

internal enum MdaExpandError
{
    None,

    /// <summary>%{name} names no known variable (or %{mda} outside a wrapper).</summary>
    UnknownVariable,

    /// <summary>The [begin:end] part is empty, reversed, not numeric, or outside the value.</summary>
    BadSlice,

    /// <summary>A :modifier is not lowercase, uppercase, strip or raw (OpenSMTPD also rejects any after a slice).</summary>
    BadModifier,

    /// <summary>A value or the whole result does not fit the 1024-byte expansion buffer.</summary>
    TooLong,
}
