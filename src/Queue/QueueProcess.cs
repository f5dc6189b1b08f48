// The queue role: the only process that touches the spool. Runs as _smtpq, chrooted into the
// spool directory, which it lays out (OpenSMTPD's modes and owners) while still root.
// Behaviour reference: usr.sbin/smtpd/queue.c, queue_fs.c queue_fs_init().
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;

namespace Smtpd.Queue;

internal sealed partial class QueueProcess : RoleProcess
{
    public override ProcRole Role => ProcRole.Queue;

    // Queue encryption (AES-GCM) uses OpenSSL.
    public override bool NeedsCrypto => true;

    public override string UserName(SetupSettings settings) => settings.QueueUser;

    public override string? ChrootDir(SetupSettings settings) => settings.QueueDir;

    public override void BeforeDrop() => QueueSpool.Prepare(Settings);
}
