// RFC 3463 subject and detail as one two-digit number (subject * 10 + detail), as OpenSMTPD
// numbers them; values are protocol, never renumber.
// Behaviour reference: usr.sbin/smtpd/smtpd-api.h (enum enhanced_status_code)
namespace Smtpd.Smtp;

internal enum EnhancedStatusCode
{
    OtherStatus = 0,

    OtherAddressStatus = 10,
    BadDestinationMailboxAddress = 11,
    BadDestinationSystemAddress = 12,
    BadDestinationMailboxAddressSyntax = 13,
    DestinationMailboxAddressAmbiguous = 14,
    DestinationAddressValid = 15,
    DestinationMailboxHasMoved = 16,
    BadSenderMailboxAddressSyntax = 17,
    BadSenderSystemAddress = 18,

    OtherMailboxStatus = 20,
    MailboxDisabled = 21,
    MailboxFull = 22,
    MessageLengthTooLarge = 23,
    MailingListExpansionProblem = 24,

    OtherMailSystemStatus = 30,
    MailSystemFull = 31,
    SystemNotAcceptingMessages = 32,
    SystemNotCapableOfSelectedFeatures = 33,
    MessageTooBigForSystem = 34,
    SystemIncorrectlyConfigured = 35,

    OtherNetworkRoutingStatus = 40,
    NoAnswerFromHost = 41,
    BadConnection = 42,
    DirectoryServerFailure = 43,
    UnableToRoute = 44,
    MailSystemCongestion = 45,
    RoutingLoopDetected = 46,
    DeliveryTimeExpired = 47,

    InvalidRecipient = 50,
    InvalidCommand = 51,
    SyntaxError = 52,
    TooManyRecipients = 53,
    InvalidCommandArguments = 54,
    WrongProtocolVersion = 55,

    OtherMediaError = 60,
    MediaNotSupported = 61,
    ConversionRequiredAndProhibited = 62,
    ConversionRequiredButNotSupported = 63,
    ConversionWithLossPerformed = 64,
    ConversionFailed = 65,

    OtherSecurityStatus = 70,
    DeliveryNotAuthorizedMessageRefused = 71,
    MailingListExpansionProhibited = 72,
    SecurityConversionRequiredNotPossible = 73,
    SecurityFeaturesNotSupported = 74,
    CryptographicFailure = 75,
    CryptographicAlgorithmNotSupported = 76,
    MessageIntegrityFailure = 77,
}
