using System.Buffers;
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;

namespace Smtpd.Tests.Ipc;

public class ImsgPayloadTests
{
    private static byte[] Encode<T>(T value)
        where T : IImsgPayload<T>
    {
        var buf = new ArrayBufferWriter<byte>();
        var w = new ImsgWriter(buf);
        value.Write(ref w);
        return buf.WrittenSpan.ToArray();
    }

    private static T RoundTrip<T>(T value)
        where T : IImsgPayload<T>
    {
        using var msg = new Imsg(T.Type, 0, 0, Encode(value), null);
        return msg.Read<T>();
    }

    private static void AssertRejectsTruncationAndTrailingBytes<T>(T value)
        where T : IImsgPayload<T>
    {
        byte[] bytes = Encode(value);
        for (int n = 0; n < bytes.Length; n++)
        {
            using var shortMsg = new Imsg(T.Type, 0, 0, bytes[..n], null);
            Assert.Throws<ImsgFormatException>(() => shortMsg.Read<T>());
        }

        using var longMsg = new Imsg(T.Type, 0, 0, [.. bytes, 0], null);
        var e = Assert.Throws<ImsgFormatException>(() => longMsg.Read<T>());
        Assert.Contains("trailing", e.Message, StringComparison.Ordinal);
    }

    internal static readonly SetupSettings Settings = new(true, false, 2, 0x42, "mx.example.org", "/var/spool/smtpd", "/var/empty", "/var/run/smtpd.sock", "_smtpd", "_smtpq");

    [Fact]
    public void SetupSettingsRoundTrips()
    {
        Assert.Equal(Settings, RoundTrip(Settings));
        AssertRejectsTruncationAndTrailingBytes(Settings);
    }

    [Fact]
    public void SetupConfigRoundTripsItsBytes()
    {
        var blob = new SetupConfig([1, 2, 3, 0, 255]);
        Assert.Equal(blob.Blob, RoundTrip(blob).Blob);
        AssertRejectsTruncationAndTrailingBytes(blob);
        Assert.Empty(RoundTrip(new SetupConfig([])).Blob);
    }

    [Fact]
    public void ControlPayloadsRoundTrip()
    {
        Assert.Equal(new CtlVerbose(1), RoundTrip(new CtlVerbose(1)));
        Assert.Equal(new CtlResult(false, "permission denied"), RoundTrip(new CtlResult(false, "permission denied")));
        Assert.Equal(new CtlResult(true, ""), RoundTrip(new CtlResult(true, "")));
        Assert.Equal(new CtlUpdateTable("aliases"), RoundTrip(new CtlUpdateTable("aliases")));
        var status = new CtlStatus(true, false, true, 1_700_000_000, 4242);
        Assert.Equal(status, RoundTrip(status));
        AssertRejectsTruncationAndTrailingBytes(new CtlVerbose(1));
        AssertRejectsTruncationAndTrailingBytes(new CtlResult(true, "ok"));
        AssertRejectsTruncationAndTrailingBytes(new CtlUpdateTable("aliases"));
        AssertRejectsTruncationAndTrailingBytes(status);
    }

    [Fact]
    public void SetupListenerRoundTrips()
    {
        var l = new SetupListener(3, "[::1]:25");
        Assert.Equal(l, RoundTrip(l));
        AssertRejectsTruncationAndTrailingBytes(l);
    }

    private static T RoundTripLayout<T>(T value)
        where T : IImsgLayout<T>
    {
        var buf = new ArrayBufferWriter<byte>();
        var w = new ImsgWriter(buf);
        value.Write(ref w);
        byte[] bytes = buf.WrittenSpan.ToArray();
        using var trailing = new Imsg(ImsgType.QueueMessageOpen, 0, 0, [.. bytes, 1], null);
        Assert.Throws<ImsgFormatException>(() => trailing.ReadAs<T>());
        if (bytes.Length > 0)
        {
            using var truncated = new Imsg(ImsgType.QueueMessageOpen, 0, 0, bytes[..^1], null);
            Assert.Throws<ImsgFormatException>(() => truncated.ReadAs<T>());
        }

        using var msg = new Imsg(ImsgType.QueueMessageOpen, 0, 0, bytes, null);
        return msg.ReadAs<T>();
    }

    [Fact]
    public void MailPathPayloadsRoundTrip()
    {
        var lookup = new LkaClientLookup(7, "[2001:db8::1]");
        Assert.Equal(lookup, RoundTrip(lookup));
        var named = new LkaClientLookupReply(7, "mail.example.org", FcrdnsResult.Pass);
        Assert.Equal(named, RoundTrip(named));
        Assert.Equal(new LkaClientLookupReply(8, null, FcrdnsResult.Error), RoundTrip(new LkaClientLookupReply(8, null, FcrdnsResult.Error)));
        var rcpt = new LkaExpandRcpt(9, null, "192.0.2.1", null, "client.example.net", "alice", true, "", "bob@example.org");
        Assert.Equal(rcpt, RoundTrip(rcpt));
        AssertRejectsTruncationAndTrailingBytes(rcpt);
        var reply = new LkaExpandReply(9, 0, "", [new LkaDelivery("local", false, "bob", "bob@example.org", "lists"), new LkaDelivery("relay", true, "", "x@y", "")]);
        var back = RoundTrip(reply);
        Assert.Equal((reply.ReqId, reply.Status, reply.Reply), (back.ReqId, back.Status, back.Reply));
        Assert.Equal(reply.Deliveries, back.Deliveries);
        AssertRejectsTruncationAndTrailingBytes(reply);

        Assert.Equal(new MsgRequest(1, 0xdeadbeef, false), RoundTripLayout(new MsgRequest(1, 0xdeadbeef, false)));
        var submit = new EnvelopeSubmit(2, 0x3fa2c901, "local", false, "", "mx.example.org", "client.example.net", "client.example.net", "", "192.0.2.1", "a@example.net", "b@example.org", "b@example.org", "b", "", 0, 0, "", "");
        Assert.Equal(submit, RoundTrip(submit));
        AssertRejectsTruncationAndTrailingBytes(submit);
        var delivery = new DeliveryRequest(3, "local", "a@example.net", "b@example.org", "b@example.org", "b", "tag", 1_700_000_000);
        Assert.Equal(delivery, RoundTripLayout(delivery));
        var job = new MdaJob(4, MdaMethod.Maildir, "~/Maildir", true, "b", 1000, 1000, "/home/b", true, "a@example.net", "b@example.org", "b@example.org", "", "mx.example.org");
        Assert.Equal(job, RoundTrip(job));
        AssertRejectsTruncationAndTrailingBytes(job);
        Assert.Equal(new EvpReply(3, 0xdeadbeef00000001, true), RoundTripLayout(new EvpReply(3, 0xdeadbeef00000001, true)));
        Assert.Equal(new DeliveryOutcome(4, DeliveryOutcomeStatus.TempFail, "421 4.4.2 timeout"), RoundTripLayout(new DeliveryOutcome(4, DeliveryOutcomeStatus.TempFail, "421 4.4.2 timeout")));
        var failed = new DeliveryOutcome(4, DeliveryOutcomeStatus.TempFail, "\"try later\"", "temporary failure");
        Assert.Equal(failed, RoundTripLayout(failed));
        var bounce = new BounceRequest(7, 0, "a@example.net", "b@example.org", "rfc822;b@example.org", "Loop detected", 1_700_000_000, false, "", 0, 0, "5.4.6");
        Assert.Equal(bounce, RoundTripLayout(bounce));
        Assert.Equal(new ScheduleEntry(5, DeliveryKind.Mta, 1_700_000_000, 345_600, 2, 1_700_014_400, "example.org"), RoundTripLayout(new ScheduleEntry(5, DeliveryKind.Mta, 1_700_000_000, 345_600, 2, 1_700_014_400, "example.org")));
        Assert.Equal(new DelayWarning(6, 1_700_014_400, 14_400), RoundTripLayout(new DelayWarning(6, 1_700_014_400, 14_400)));
    }

    [Fact]
    public void ExpansionPayloadsCarryTheirForwardRequestsAndMdaExec()
    {
        var open = new LkaOpenForward(11, "alice", "/home/alice", 1001, 1002);
        Assert.Equal(open, RoundTrip(open));
        AssertRejectsTruncationAndTrailingBytes(open);
        var answer = new LkaOpenForwardReply(11, ForwardStatus.TryLater);
        Assert.Equal(answer, RoundTrip(answer));
        AssertRejectsTruncationAndTrailingBytes(answer);

        var reply = new LkaExpandReply(12, 0, "", [new LkaDelivery("local", false, "_smtpd", "list@example.org", "", "/usr/bin/archive -q")]);
        Assert.Equal(reply.Deliveries, RoundTrip(reply).Deliveries);
        var submit = new EnvelopeSubmit(2, 1, "local", false, "", "mx", "c", "c", "", "192.0.2.1", "a@example.net", "b@example.org", "b@example.org", "b", "", 0, 0, "", "", MdaExecText.ForFile("/var/mail/b.copy"));
        Assert.Equal(submit, RoundTrip(submit));
        var delivery = new DeliveryRequest(3, "local", "a@example.net", "b@example.org", "b@example.org", "b", "", 1_700_000_000, "|true");
        Assert.Equal(delivery, RoundTripLayout(delivery));
        Assert.True(MdaExecText.TryGetFile(submit.MdaExec, out string file));
        Assert.Equal("/var/mail/b.copy", file);
        Assert.False(MdaExecText.TryGetFile("/usr/bin/procmail", out _));
    }

    [Fact]
    public void UserinfoPayloadsCarryTheUserOnlyWhenFound()
    {
        var lookup = new LkaUserinfoLookup(13, "local", "alice");
        Assert.Equal(lookup, RoundTrip(lookup));
        AssertRejectsTruncationAndTrailingBytes(lookup);
        var found = new LkaUserinfoReply(13, UserinfoStatus.Found, "alice", 1001, 1002, "/home/alice");
        Assert.Equal(found, RoundTrip(found));
        AssertRejectsTruncationAndTrailingBytes(found);
        var missing = new LkaUserinfoReply(14, UserinfoStatus.NotFound);
        Assert.Equal(missing, RoundTrip(missing));
        Assert.Equal(9, Encode(missing).Length);
        AssertRejectsTruncationAndTrailingBytes(new LkaUserinfoReply(15, UserinfoStatus.TempFail));
        using var bad = new Imsg(ImsgType.LkaUserinfoReply, 0, 0, [.. Encode(missing)[..8], 7], null);
        Assert.Throws<ImsgFormatException>(() => bad.Read<LkaUserinfoReply>());

        var delivery = new MdaDelivery(new DeliveryRequest(3, "local", "a@example.net", "b@example.org", "b@example.org", "b", "tag", 1_700_000_000, "|true"), "b", 2001, 2002, "/var/vmail/b");
        Assert.Equal(delivery, RoundTripLayout(delivery));
    }

    [Fact]
    public void AuthenticationPayloadsRoundTripAndKeepThePasswordOutOfText()
    {
        var auth = new LkaAuthenticate(16, 2, "alice", "s\u00e9cret:\u00ff");
        Assert.Equal(auth, RoundTrip(auth));
        AssertRejectsTruncationAndTrailingBytes(auth);
        Assert.DoesNotContain("cret", auth.ToString(), StringComparison.Ordinal);
        foreach (var status in new[] { AuthStatus.Ok, AuthStatus.Fail, AuthStatus.TempFail })
        {
            Assert.Equal(new LkaAuthenticateReply(16, status), RoundTrip(new LkaAuthenticateReply(16, status)));
        }

        AssertRejectsTruncationAndTrailingBytes(new LkaAuthenticateReply(16, AuthStatus.Fail));
        using var bad = new Imsg(ImsgType.LkaAuthenticateReply, 0, 0, [.. Encode(new LkaAuthenticateReply(16, 0))[..8], 3], null);
        Assert.Throws<ImsgFormatException>(() => bad.Read<LkaAuthenticateReply>());
    }

    [Fact]
    public void SenderCheckPayloadsRoundTrip()
    {
        var check = new LkaCheckSender(17, 1, "alice", "alice+tag@example.org");
        Assert.Equal(check, RoundTrip(check));
        AssertRejectsTruncationAndTrailingBytes(check);
        foreach (var status in new[] { AuthStatus.Ok, AuthStatus.Fail, AuthStatus.TempFail })
        {
            Assert.Equal(new LkaCheckSenderReply(17, status), RoundTrip(new LkaCheckSenderReply(17, status)));
        }

        using var bad = new Imsg(ImsgType.LkaCheckSenderReply, 0, 0, [.. Encode(new LkaCheckSenderReply(17, 0))[..8], 3], null);
        Assert.Throws<ImsgFormatException>(() => bad.Read<LkaCheckSenderReply>());
    }

    [Fact]
    public void PingAndPongRoundTrip()
    {
        var ping = new Ping(ulong.MaxValue, [9, 8, 7]);
        var back = RoundTrip(ping);
        Assert.Equal(ping.Sequence, back.Sequence);
        Assert.Equal(ping.Data, back.Data);
        Assert.Equal(new Pong(77), RoundTrip(new Pong(77)));
        AssertRejectsTruncationAndTrailingBytes(ping);
        AssertRejectsTruncationAndTrailingBytes(new Pong(1));
    }

    [Fact]
    public void ReadingAsTheWrongTypeIsRefused()
    {
        using var msg = new Imsg(ImsgType.Pong, 0, 0, Encode(new Pong(1)), null);
        Assert.Throws<ImsgFormatException>(() => msg.Read<CtlVerbose>());
    }

    [Fact]
    public void StringsKeepNullEmptyAndNonAsciiApart()
    {
        var buf = new ArrayBufferWriter<byte>();
        var w = new ImsgWriter(buf);
        w.WriteString(null);
        w.WriteString("");
        w.WriteString("héllo ✉");
        w.WriteBool(true);
        w.WriteI64(-5);
        var r = new ImsgReader(buf.WrittenSpan);
        Assert.Null(r.ReadString());
        Assert.Equal("", r.ReadString());
        Assert.Equal("héllo ✉", r.ReadString());
        Assert.True(r.ReadBool());
        Assert.Equal(-5, r.ReadI64());
        r.End();
    }

    [Fact]
    public void ABooleanOtherThanZeroOrOneIsMalformed()
    {
        Assert.Throws<ImsgFormatException>(() =>
        {
            var r = new ImsgReader(new byte[] { 2 });
            r.ReadBool();
        });
    }

    [Fact]
    public void AStringLengthBeyondThePayloadIsMalformed()
    {
        Assert.Throws<ImsgFormatException>(() =>
        {
            var r = new ImsgReader(new byte[] { 0xff, 0xff, 0xff, 0x7f, 1, 2 });
            r.ReadString();
        });
    }
}
