// The lookup agent (lka) role: tables, DNS, the ruleset, alias and forward expansion, filter processes. Runs as _smtpd, not chrooted: it needs /etc files and resolv.conf.
// Behaviour reference: usr.sbin/smtpd/lka.c.
using Smtpd.Runtime;

namespace Smtpd.Lka;

internal sealed partial class LkaProcess : RoleProcess
{
    public override ProcRole Role => ProcRole.Lka;

    public override bool NeedsCrypto => true;

    // The lookup agent reads /etc (resolv.conf, tables) at run time, so it stays at /.
    public override string? ChrootDir(Ipc.Messages.SetupSettings settings) => null;
}
