// The parent's answer to "open this user's ~/.forward": the status of OpenSMTPD's forward_req and
// the descriptor, null when there is no file.
// Behaviour reference: usr.sbin/smtpd/lka_session.c lka_session_forward_reply().
using Smtpd.Interop;
using Smtpd.Ipc.Messages;

namespace Smtpd.Lka;

internal readonly record struct ForwardOpen(ForwardStatus Status, SafeFd? Fd);
