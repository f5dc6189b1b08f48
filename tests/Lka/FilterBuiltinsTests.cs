// The conditions of builtin filters, as lka_filter.c's filter_check_* read them.
using Smtpd.Config;
using Smtpd.Ipc.Messages;
using Smtpd.Lka;
using Smtpd.Tables;

namespace Smtpd.Tests.Lka;

public class FilterBuiltinsTests
{
    private sealed class ListTable(params string[] keys) : ITable
    {
        public string Name => "t";

        public List<(TableService Service, string Key)> Asked { get; } = [];

        public MatchResult Match(TableService service, string key)
        {
            Asked.Add((service, key));
            return keys.Contains(key) ? MatchResult.Match : MatchResult.NoMatch;
        }

        public (MatchResult Result, string? Value) Lookup(TableService service, string key) => (Match(service, key), null);
    }

    private static FilterSession Session(string rdns = "mx.example.org", FcrdnsResult fcrdns = FcrdnsResult.Pass) =>
        new(1, []) { Rdns = rdns, Fcrdns = fcrdns, Source = "192.0.2.1" };

    private static bool Matches(FilterCheck check, FilterSession s, string parameter = "", ITable? table = null) =>
        FilterBuiltins.Matches(check, s, parameter, _ => table ?? new ListTable());

    [Theory]
    [InlineData("mx.example.org", false, true)]
    [InlineData("<unknown>", false, false)]
    [InlineData("192.0.2.1", false, false)]
    [InlineData("[2001:db8::1]", false, false)]
    [InlineData("mx.example.org", true, false)]
    [InlineData("<unknown>", true, true)]
    public void RdnsWithoutATableMeansTheClientHasAReverseName(string rdns, bool negated, bool expected) =>
        Assert.Equal(expected, Matches(new FilterCheck(FilterCheckKind.Rdns, negated, false, null), Session(rdns)));

    [Theory]
    [InlineData(FcrdnsResult.Pass, false, true)]
    [InlineData(FcrdnsResult.Fail, false, false)]
    [InlineData(FcrdnsResult.Fail, true, true)]
    internal void FcrdnsMatchesOnlyAConfirmedName(FcrdnsResult fcrdns, bool negated, bool expected) =>
        Assert.Equal(expected, Matches(new FilterCheck(FilterCheckKind.Fcrdns, negated, false, null), Session(fcrdns: fcrdns)));

    [Fact]
    public void TablesAreAskedForTheRightServiceOrAsRegexes()
    {
        var table = new ListTable("192.0.2.1", "mx.example.org");
        Assert.True(Matches(new FilterCheck(FilterCheckKind.Src, false, false, TableRef.Named("t")), Session(), table: table));
        Assert.True(Matches(new FilterCheck(FilterCheckKind.Rdns, false, true, TableRef.Named("t")), Session(), table: table));
        Assert.False(Matches(new FilterCheck(FilterCheckKind.RcptTo, false, false, TableRef.Named("t")), Session(), "bob@example.org", table));
        Assert.Equal([(TableService.Netaddr, "192.0.2.1"), (TableService.Regex, "mx.example.org"), (TableService.Mailaddr, "bob@example.org")], table.Asked);
    }

    [Fact]
    public void ANegatedTableMatchesWhatIsNotKnownYet()
    {
        // No MAIL FROM yet: the plain check fails, so the negated one holds (as in OpenSMTPD).
        var check = new FilterCheck(FilterCheckKind.MailFrom, true, false, TableRef.Named("t"));
        Assert.True(Matches(check, Session(), table: new ListTable("a@example.org")));
        var s = Session();
        s.MailFrom = "a@example.org";
        Assert.False(Matches(check, s, table: new ListTable("a@example.org")));
    }

    [Fact]
    public void AuthWithoutATableMeansTheSessionAuthenticated()
    {
        var s = Session();
        var check = new FilterCheck(FilterCheckKind.Auth, false, false, null);
        Assert.False(Matches(check, s));
        s.Username = "alice";
        Assert.True(Matches(check, s));
    }
}
