// What one recipient expanded to: accepted with its deliveries, or the status and reply to give,
// with why (for the expand trace).
// Behaviour reference: usr.sbin/smtpd/lka_session.c lka_resume().
using Smtpd.Ipc.Messages;

namespace Smtpd.Lka;

internal readonly record struct LkaExpansion(ExpandStatus Status, string Reply, List<LkaDelivery> Deliveries, string? Why);
