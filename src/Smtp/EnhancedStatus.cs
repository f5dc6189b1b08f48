// RFC 3463 enhanced status codes as they appear in replies: "5.5.1" and its description text.
// The texts are protocol (clients and log parsers read them), so they are OpenSMTPD's, including
// its quirk that 5.7.7 has no text of its own and reads "Other/Undefined".
// Behaviour reference: usr.sbin/smtpd/esc.c
namespace Smtpd.Smtp;

internal static class EnhancedStatus
{
    /// <summary>The dotted form, e.g. (PermFail, InvalidCommand) → "5.5.1".</summary>
    public static string Code(EnhancedStatusClass statusClass, EnhancedStatusCode code)
    {
        int c = (int)code;
        return string.Create(null, stackalloc char[16], $"{(int)statusClass}.{c / 10}.{c % 10}");
    }

    public static string Description(EnhancedStatusCode code) => code switch
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
        _ => "Other/Undefined",
    };

    /// <summary>"5.5.1 Invalid command": the code followed by its description, the common reply prefix.</summary>
    public static string WithDescription(EnhancedStatusClass statusClass, EnhancedStatusCode code) =>
        Code(statusClass, code) + " " + Description(code);
}
