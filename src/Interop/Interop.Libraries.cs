// The one place that names the native libraries the declarations in Interop/ bind to.
// Most of libc comes from Tmds.LibC (namespace Tmds.Linux), which binds "libc.so.6"; the
// imports here are for what it does not declare.
namespace Smtpd.Interop;

internal static partial class Libc
{
    /// <summary>glibc, by the same name Tmds.LibC uses, so one DirectPInvoke entry binds both at link time.</summary>
    internal const string Name = "libc.so.6";
}

internal static partial class LibDb
{
    /// <summary>Berkeley DB 5.3; Debian ships only the versioned runtime name (no libdb.so link).</summary>
    internal const string Name = "libdb-5.3.so";
}

internal static partial class LibSqlite
{
    /// <summary>SQLite 3; Debian's libsqlite3-0 ships only the versioned runtime name (the .so link is in -dev).</summary>
    internal const string Name = "libsqlite3.so.0";
}

internal static partial class LibCrypt
{
    /// <summary>libxcrypt (crypt(3) with bcrypt, SHA-crypt, yescrypt); its soname on every current distribution.</summary>
    internal const string Name = "libcrypt.so.1";
}

internal static partial class LibPam
{
    /// <summary>Linux-PAM; loaded only by the parent, and only when AUTH checks a system user.</summary>
    internal const string Name = "libpam.so.0";
}

internal static partial class LibSsl
{
    /// <summary>OpenSSL 3's TLS library (Debian 12's libssl3); bound on first use, so only TLS roles map it.</summary>
    internal const string Name = "libssl.so.3";
}

internal static partial class LibCrypto
{
    /// <summary>OpenSSL 3's crypto library: BIOs, certificates, keys.</summary>
    internal const string Name = "libcrypto.so.3";
}
