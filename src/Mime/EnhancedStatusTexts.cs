// The one-line descriptions OpenSMTPD prints next to enhanced status codes (RFC 3463's titles).
// Behaviour reference: usr.sbin/smtpd/esc.c
// Deliberate difference: esc.c files "Message integrity failure" under 3.4 by mistake, so 7.7 reads
// "Other/Undefined" there; here 7.7 gets its own title and 3.4 keeps "Message too big for system".
namespace Smtpd.Mime;

internal static class EnhancedStatusTexts
{
    public const string Undefined = "Other/Undefined";

    public static string Describe(EnhancedStatusCode code) => code switch
    {
        EnhancedStatusCode.OtherStatus => "Other/Undefined",

        EnhancedStatusCode.OtherAddressStatus => "Other/Undefined address status",
        EnhancedStatusCode.BadDestinationMailboxAddress => "Bad destination mailbox address",
        EnhancedStatusCode.BadDestinationSystemAddress => "Bad destination system address",
        EnhancedStatusCode.BadDestinationMailboxAddressSyntax => "Bad destination mailbox address syntax",
        EnhancedStatusCode.DestinationMailboxAddressAmbiguous => "Destination mailbox address ambiguous",
        EnhancedStatusCode.DestinationAddressValid => "Destination address valid",
        EnhancedStatusCode.DestinationMailboxHasMoved => "Destination mailbox has moved, No forwarding address",
        EnhancedStatusCode.BadSenderMailboxAddressSyntax => "Bad sender's mailbox address syntax",
        EnhancedStatusCode.BadSenderSystemAddress => "Bad sender's system address syntax",

        EnhancedStatusCode.OtherMailboxStatus => "Other/Undefined mailbox status",
        EnhancedStatusCode.MailboxDisabled => "Mailbox disabled, not accepting messages",
        EnhancedStatusCode.MailboxFull => "Mailbox full",
        EnhancedStatusCode.MessageLengthTooLarge => "Message length exceeds administrative limit",
        EnhancedStatusCode.MailingListExpansionProblem => "Mailing list expansion problem",

        EnhancedStatusCode.OtherMailSystemStatus => "Other/Undefined mail system status",
        EnhancedStatusCode.MailSystemFull => "Mail system full",
        EnhancedStatusCode.SystemNotAcceptingMessages => "System not accepting network messages",
        EnhancedStatusCode.SystemNotCapableOfSelectedFeatures => "System not capable of selected features",
        EnhancedStatusCode.MessageTooBigForSystem => "Message too big for system",
        EnhancedStatusCode.SystemIncorrectlyConfigured => "System incorrectly configured",

        EnhancedStatusCode.OtherNetworkRoutingStatus => "Other/Undefined network or routing status",
        EnhancedStatusCode.NoAnswerFromHost => "No answer from host",
        EnhancedStatusCode.BadConnection => "Bad connection",
        EnhancedStatusCode.DirectoryServerFailure => "Directory server failure",
        EnhancedStatusCode.UnableToRoute => "Unable to route",
        EnhancedStatusCode.MailSystemCongestion => "Mail system congestion",
        EnhancedStatusCode.RoutingLoopDetected => "Routing loop detected",
        EnhancedStatusCode.DeliveryTimeExpired => "Delivery time expired",

        EnhancedStatusCode.InvalidRecipient => "Invalid recipient",
        EnhancedStatusCode.InvalidCommand => "Invalid command",
        EnhancedStatusCode.SyntaxError => "Syntax error",
        EnhancedStatusCode.TooManyRecipients => "Too many recipients",
        EnhancedStatusCode.InvalidCommandArguments => "Invalid command arguments",
        EnhancedStatusCode.WrongProtocolVersion => "Wrong protocol version",

        EnhancedStatusCode.OtherMediaError => "Other/Undefined media error",
        EnhancedStatusCode.MediaNotSupported => "Media not supported",
        EnhancedStatusCode.ConversionRequiredAndProhibited => "Conversion required and prohibited",
        EnhancedStatusCode.ConversionRequiredButNotSupported => "Conversion required but not supported",
        EnhancedStatusCode.ConversionWithLossPerformed => "Conversion with loss performed",
        EnhancedStatusCode.ConversionFailed => "Conversion failed",

        EnhancedStatusCode.OtherSecurityStatus => "Other/Undefined security status",
        EnhancedStatusCode.DeliveryNotAuthorizedMessageRefused => "Delivery not authorized, message refused",
        EnhancedStatusCode.MailingListExpansionProhibited => "Mailing list expansion prohibited",
        EnhancedStatusCode.SecurityConversionRequiredNotPossible => "Security conversion required but not possible",
        EnhancedStatusCode.SecurityFeaturesNotSupported => "Security features not supported",
        EnhancedStatusCode.CryptographicFailure => "Cryptographic failure",
        EnhancedStatusCode.CryptographicAlgorithmNotSupported => "Cryptographic algorithm not supported",
        EnhancedStatusCode.MessageIntegrityFailure => "Message integrity failure",
        _ => Undefined,
    };
}
