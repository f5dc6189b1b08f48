// Incremental, line-at-a-time view of a message as it streams by (DATA, the spool file, a bounce's
// source): header fields with their folded lines, the end of the header, then body lines. Nothing
// but the current line, the current field name and an optional unfolded value is ever held, so a
// caller can count Received fields, drop Bcc, rewrite From or add X-Spam without buffering the message.
// Behaviour reference: usr.sbin/smtpd/rfc5322.c
using System.Text;

namespace Smtpd.Mime;

/// <remarks>
/// Use: Push(line) (no CR/LF), then call Next() until it returns None; at the end PushEnd() and call
/// Next() until EndOfMessage. Name and Value describe the last event and stay valid until the next
/// Push, Next or UnfoldHeader. A header field is a line that does not start with whitespace and
/// contains a colon; a whitespace-led line continues the field; anything else ends the header, and it
/// must then be the empty separator line — as in OpenSMTPD, a body glued to the header without one is
/// reported as Malformed.
/// </remarks>
internal sealed class Rfc5322Parser
{
    /// <summary>A field name must be shorter than this (rfc5322.c's header buffer).</summary>
    public const int MaxNameLength = 1023;

    /// <summary>An unfolded value must be shorter than this (rfc5322.c's value buffer).</summary>
    public const int MaxUnfoldedLength = 65535;

    private byte[] _line = new byte[256];
    private int _lineLength;
    private bool _hasLine;
    private bool _needLine = true;

    private readonly byte[] _name = new byte[MaxNameLength];
    private int _nameLength;

    private byte[] _unfolded = [];
    private int _unfoldedLength;
    private bool _unfolding;
    private int _valueStart = -1;

    private Rfc5322Event _state = Rfc5322Event.None;
    private int _valueFrom;
    private int _valueLength;
    private bool _valueInUnfolded;

    public Rfc5322Error Error { get; private set; }

    /// <summary>The current field's name (valid from HeaderStart through HeaderEnd).</summary>
    public ReadOnlySpan<byte> Name => _name.AsSpan(0, _nameLength);

    /// <summary>The data of the last event: field value, continuation line, unfolded value or body line.</summary>
    public ReadOnlySpan<byte> Value => _valueInUnfolded
        ? _unfolded.AsSpan(_valueFrom, _valueLength)
        : _line.AsSpan(_valueFrom, _valueLength);

    /// <summary>True when the current field is called <paramref name="name"/> (ASCII case-insensitive, like strcasecmp).</summary>
    public bool NameIs(ReadOnlySpan<byte> name) => Ascii.EqualsIgnoreCase(Name, name);

    /// <summary>Starts over for a new message, keeping the buffers.</summary>
    public void Clear()
    {
        _lineLength = 0;
        _hasLine = false;
        _needLine = true;
        _nameLength = 0;
        _unfoldedLength = 0;
        _unfolding = false;
        _valueStart = -1;
        _state = Rfc5322Event.None;
        _valueFrom = _valueLength = 0;
        _valueInUnfolded = false;
        Error = Rfc5322Error.None;
    }

    /// <summary>Hands over the next line, without its line ending. False if the previous line is unread.</summary>
    public bool Push(ReadOnlySpan<byte> line)
    {
        if (_hasLine)
        {
            Error = Rfc5322Error.LinePending;
            return false;
        }

        if (line.Length > _line.Length)
        {
            _line = new byte[Math.Max(line.Length, _line.Length * 2)];
        }

        line.CopyTo(_line);
        _lineLength = line.Length;
        _hasLine = true;
        _needLine = false;
        return true;
    }

    /// <summary>Marks the end of the message (OpenSMTPD pushes NULL for the final dot).</summary>
    public bool PushEnd()
    {
        if (_hasLine)
        {
            Error = Rfc5322Error.LinePending;
            return false;
        }

        _needLine = false;
        return true;
    }

    /// <summary>
    /// Asks for the current field's value whole, folded lines joined with "\n", delivered by HeaderEnd.
    /// Only allowed right after HeaderStart (so the caller can hold back a field it means to rewrite).
    /// </summary>
    public bool UnfoldHeader()
    {
        if (_unfolding || _valueStart < 0 || _state != Rfc5322Event.HeaderStart)
        {
            Error = Rfc5322Error.CannotUnfold;
            return false;
        }

        if (!Append(_line.AsSpan(_valueStart, _lineLength - _valueStart)))
        {
            return false;
        }

        _valueStart = -1;
        _unfolding = true;
        return true;
    }

    /// <summary>Advances by one event; None means the parser is waiting for a line.</summary>
    public Rfc5322Event Next()
    {
        _valueFrom = _valueLength = 0;
        _valueInUnfolded = false;
        if (_needLine)
        {
            return Rfc5322Event.None;
        }

        _state = Step();
        return _state;
    }

    private Rfc5322Event Step()
    {
        ReadOnlySpan<byte> line = _line.AsSpan(0, _lineLength);
        switch (_state)
        {
            case Rfc5322Event.HeaderStart:
            case Rfc5322Event.HeaderContinuation:
                _valueStart = -1;
                if (_hasLine && line.Length > 0 && IsFoldingSpace(line[0]))
                {
                    Consume();
                    if (_unfolding && !(Append("\n"u8) && Append(line)))
                    {
                        return Fail(Error);
                    }

                    SetValue(0, line.Length);
                    return Rfc5322Event.HeaderContinuation;
                }

                if (_unfolding)
                {
                    _unfolding = false;
                    _valueInUnfolded = true;
                    _valueFrom = 0;
                    _valueLength = _unfoldedLength;
                    _unfoldedLength = 0;
                }

                return Rfc5322Event.HeaderEnd;

            case Rfc5322Event.None:
            case Rfc5322Event.HeaderEnd:
                int colon = _hasLine && line.Length > 0 && !IsFoldingSpace(line[0]) ? line.IndexOf((byte)':') : -1;
                if (colon < 0)
                {
                    return Rfc5322Event.EndOfHeaders;
                }

                if (colon >= MaxNameLength)
                {
                    return Fail(Rfc5322Error.TooLong);
                }

                line[..colon].CopyTo(_name);
                _nameLength = colon;
                Consume();
                _valueStart = colon + 1;
                SetValue(colon + 1, line.Length - colon - 1);
                return Rfc5322Event.HeaderStart;

            case Rfc5322Event.EndOfHeaders:
                if (!_hasLine)
                {
                    return Rfc5322Event.EndOfMessage;
                }

                if (line.Length != 0)
                {
                    return Fail(Rfc5322Error.Malformed);
                }

                Consume();
                return Rfc5322Event.BodyStart;

            case Rfc5322Event.BodyStart:
            case Rfc5322Event.Body:
                if (!_hasLine)
                {
                    return Rfc5322Event.EndOfMessage;
                }

                Consume();
                SetValue(0, line.Length);
                return Rfc5322Event.Body;

            case Rfc5322Event.EndOfMessage:
                return Fail(Rfc5322Error.AfterEnd);

            default:
                return Fail(Error == Rfc5322Error.None ? Rfc5322Error.Malformed : Error);
        }
    }

    private static bool IsFoldingSpace(byte b) => b is (byte)' ' or (byte)'\t';

    private void Consume()
    {
        _hasLine = false;
        _needLine = true;
    }

    private void SetValue(int from, int length)
    {
        _valueFrom = from;
        _valueLength = length;
    }

    private Rfc5322Event Fail(Rfc5322Error error)
    {
        Error = error;
        _needLine = false;
        return Rfc5322Event.Error;
    }

    private bool Append(ReadOnlySpan<byte> data)
    {
        int need = _unfoldedLength + data.Length;
        if (need >= MaxUnfoldedLength)
        {
            Error = Rfc5322Error.TooLong;
            return false;
        }

        if (need > _unfolded.Length)
        {
            Array.Resize(ref _unfolded, Math.Min(MaxUnfoldedLength, Math.Max(need, Math.Max(256, _unfolded.Length * 2))));
        }

        data.CopyTo(_unfolded.AsSpan(_unfoldedLength));
        _unfoldedLength = need;
        return true;
    }
}
