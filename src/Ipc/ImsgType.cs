// Every message kind that crosses a process boundary, in OpenSMTPD's grouping
// (smtpd.h enum imsg_type). Values are frozen by ImsgTypeStabilityTests: append, never renumber;
// bump ImsgVersion.Current whenever a payload layout changes.
namespace Smtpd.Ipc;

internal enum ImsgType : uint
{
    None = 0,

    // Setup: parent → every role, before privileges are dropped (IMSG_SETUP_*).
    SetupSettings = 1,
    SetupConfig = 2,
    SetupPeer = 3,
    SetupDone = 4,
    SetupListener = 5,

    // Control and verbosity (IMSG_CTL_*).
    CtlOk = 20,
    CtlVerbose = 22,
    CtlShowStatus = 23,
    CtlShutdown = 24,

    // The lookup agent: client names, recipient expansion (IMSG_LKA_*, IMSG_SMTP_EXPAND_RCPT).
    LkaClientLookup = 30,
    LkaClientLookupReply = 31,
    LkaExpandRcpt = 32,
    LkaExpandReply = 33,

    // The queue: messages and envelopes (IMSG_SMTP_MESSAGE_*, IMSG_QUEUE_ENVELOPE_*).
    QueueMessageCreate = 40,
    QueueMessageCreateReply = 41,
    QueueMessageOpen = 42,
    QueueMessageOpenReply = 43,
    QueueEnvelopeSubmit = 44,
    QueueEnvelopeSubmitReply = 45,
    QueueMessageCommit = 46,
    QueueMessageCommitReply = 47,
    QueueMessageRollback = 48,

    // Scheduling and delivery (IMSG_QUEUE_DELIVER, IMSG_MDA_*, IMSG_QUEUE_DELIVERY_*).
    SchedulerEnvelopeNew = 50,
    SchedulerDeliver = 51,
    QueueDeliver = 52,
    MdaDeliver = 53,
    MdaDone = 54,
    QueueDeliveryResult = 55,
    SchedulerDeliveryResult = 56,
    QueueBounce = 57,
    SchedulerBounce = 58,

    // A local delivery's message, opened read-only when the delivery starts rather than when
    // the queue hands it over: deliveries waiting for an mda slot hold no descriptor
    // (mda.c asks the queue with IMSG_MDA_OPEN_MESSAGE the same way). MsgRequest both ways.
    QueueDeliveryOpen = 59,
    QueueDeliveryOpenReply = 64,

    // Tables (IMSG_CTL_UPDATE_TABLE): smtpctl → control → lka, answered with CtlOk.
    CtlUpdateTable = 60,

    // The queue listing (IMSG_CTL_LIST_ENVELOPES): smtpctl → control → scheduler (the run states)
    // → queue (loads each envelope, writes its line) → control → smtpctl.
    CtlShowQueue = 61,
    CtlEnvelopeStates = 62,
    CtlQueueLines = 63,

    // Recipient expansion asks the parent for a user's ~/.forward (IMSG_LKA_OPEN_FORWARD).
    LkaOpenForward = 70,
    LkaOpenForwardReply = 71,

    // Before a local delivery the dispatcher asks who the user is (IMSG_MDA_LOOKUP_USERINFO), and
    // an smtp-in session checks AUTH credentials (IMSG_SMTP_AUTHENTICATE); the lka passes checks
    // against system users on to the parent with the same pair (IMSG_LKA_AUTHENTICATE).
    LkaUserinfoLookup = 72,
    LkaUserinfoReply = 73,
    LkaAuthenticate = 74,
    LkaAuthenticateReply = 75,

    // TLS: the dispatcher hands the crypto role a socket of its own for private-key operations,
    // asked and answered synchronously from inside a handshake (IMSG_CA_RSA_PRIVENC and friends).
    CaKeyChannel = 100,
    CaKeyOperation = 101,
    CaKeyOperationReply = 102,

    // Certificate reload on SIGHUP: parent → ca (keys), ca → parent (done), parent → dispatcher (certificates).
    TlsReloadKeys = 103,
    TlsReloadKeysDone = 104,
    TlsReloadCerts = 105,

    // An authenticated session's MAIL FROM on a listener with `senders <table>` (IMSG_SMTP_CHECK_SENDER).
    LkaCheckSender = 120,
    LkaCheckSenderReply = 121,

    // Relaying (IMSG_QUEUE_TRANSFER, IMSG_MTA_DNS_HOST/MX, IMSG_MTA_DELIVERY_*): the queue hands a
    // relay envelope to the dispatcher's mta, which asks the lka for the route (relay host or MX
    // hosts with their addresses, credentials, helo and source) and reports each envelope's end.
    MtaDeliver = 140,
    MtaRouteLookup = 141,
    MtaRouteReply = 142,
    MtaDeliveryResult = 143,

    // A domain's host took mail again: envelopes deferred for it are tried now (IMSG_MTA_SCHEDULE),
    // dispatcher → queue → scheduler.
    MtaSchedule = 144,

    // smtpctl's administration commands (branch ctl, range 180-219). Requests from smtpctl to
    // control carry the protocol version as peer id; control relays them with the client's id.
    // Pausing and resuming whole subsystems (IMSG_CTL_PAUSE_*/RESUME_*): empty payloads.
    CtlPauseSmtp = 180,
    CtlResumeSmtp = 181,
    CtlPauseMda = 182,
    CtlResumeMda = 183,
    CtlPauseMta = 184,
    CtlResumeMta = 185,

    // schedule/remove/pause envelope/resume envelope on one envelope, one message or all
    // (CtlEnvelopeCommand), and discover (queue), each answered with a count (CtlCount).
    CtlEnvelopeCommand = 186,
    CtlCount = 187,
    CtlDiscover = 188,

    // Counters (IMSG_STAT_INCREMENT/DECREMENT): every role → control, key and signed delta.
    StatUpdate = 189,

    // show stats (IMSG_CTL_GET_STATS) and monitor (IMSG_CTL_GET_DIGEST): smtpctl ↔ control.
    CtlGetStats = 190,
    CtlGetDigest = 191,

    // trace|untrace and profile|unprofile: smtpctl → control (CtlFlags); the new trace mask
    // control → every role.
    CtlTrace = 192,
    CtlUntrace = 193,
    CtlProfile = 194,
    CtlUnprofile = 195,
    CtlTraceSet = 196,

    // smtpctl stop and reload: smtpctl → control → parent, answered with CtlOk.
    CtlStop = 197,
    CtlReload = 198,

    // The scheduler forgets an envelope removed by the administrator: scheduler → queue, which
    // deletes its file; and envelopes found on disk by discover: queue → scheduler (ScheduleEntry).
    SchedulerRemove = 199,
    QueueDiscovered = 200,

    // smtpctl reload: the new configuration (a SetupConfig blob), parent → lka.
    ConfigReload = 201,

    // Filters (smtpd-filters(7)), run by the lka: a filtered smtp-in session begins and ends
    // (IMSG_FILTER_SMTP_BEGIN/END), asks its chain at each phase (IMSG_FILTER_SMTP_PROTOCOL),
    // reports events (IMSG_REPORT_SMTP_*), and opens a data-line socket for its message
    // (IMSG_FILTER_SMTP_DATA_BEGIN). The parent hands the lka each filter process's stdio and
    // stderr sockets (IMSG_LKA_PROCESSOR_FORK/ERRFD) and restarts one the lka gives up on.
    FilterBegin = 220,
    FilterEnd = 221,
    FilterQuery = 222,
    FilterQueryReply = 223,
    FilterReport = 224,
    FilterDataBegin = 225,
    FilterDataBeginReply = 226,
    FilterProcFork = 227,
    FilterProcStderr = 228,
    FilterProcRestart = 229,

    // Secure transport to peers (branch dane, range 310-329), dispatcher → lka and back: the
    // DNSSEC-validated TLSA records of an MX host (DANE), a domain's MTA-STS TXT record with the
    // addresses of its policy host, and whether a peer's certificate fingerprint is pinned.
    MtaTlsaLookup = 310,
    MtaTlsaReply = 311,
    MtaStsLookup = 312,
    MtaStsReply = 313,
    MtaFingerprintCheck = 314,
    MtaFingerprintReply = 315,

    // OCSP stapling: the lka fetched a pki's OCSP response, lka → dispatcher (TlsOcspStaple).
    TlsOcspStaple = 330,

    // Client-certificate pinning: is this fingerprint in the listener's fingerprints table, and
    // as whom does it authenticate? dispatcher → lka, and the answer.
    LkaCertFingerprint = 331,
    LkaCertFingerprintReply = 332,

    // smtpctl show hosts|relays|routes|hoststats (IMSG_CTL_MTA_SHOW_*): smtpctl → control →
    // dispatcher (CtlMtaShow), answered by batches of lines (CtlMtaShowLines); resume route
    // (IMSG_CTL_RESUME_ROUTE) the same way, answered with CtlOk. Branch mta, range 280-309.
    CtlMtaShow = 280,
    CtlMtaShowLines = 281,
    CtlResumeRoute = 282,

    // Liveness and the IPC benchmark.
    Ping = 90,
    Pong = 91,
}
