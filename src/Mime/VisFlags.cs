// The vis(3) flags smtpd uses, with OpenBSD's meanings (lib/libc/gen/vis.c).
namespace Smtpd.Mime;

[Flags]
internal enum VisFlags
{
    /// <summary>Graphic ASCII, space, tab and newline pass; everything else is escaped.</summary>
    None = 0,

    /// <summary>VIS_SP: space is escaped too.</summary>
    Space = 0x04,

    /// <summary>VIS_TAB: tab is escaped too.</summary>
    Tab = 0x08,

    /// <summary>VIS_NL: newline is escaped too.</summary>
    Newline = 0x10,

    /// <summary>VIS_WHITE: space, tab and newline are escaped.</summary>
    White = Space | Tab | Newline,

    /// <summary>VIS_SAFE: backspace, bell and carriage return pass (they cannot hide text).</summary>
    Safe = 0x20,

    /// <summary>VIS_CSTYLE: C escapes (\n, \t, \s, \0, ...) where one exists.</summary>
    CStyle = 0x02,
}
