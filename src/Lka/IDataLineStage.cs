// One stage of a message's lines through a chain: a filter process that registered data-line,
// or our builtin DKIM signer. Lines go in with Send; what the stage gives back goes to the sink
// opened for the session (null there: the stage failed).
namespace Smtpd.Lka;

internal interface IDataLineStage
{
    string Name { get; }

    void OpenData(ulong session, ulong token, Action<string?> sink);

    void SendDataLine(ulong session, ulong token, string line);

    void CloseData(ulong session, ulong token);
}
