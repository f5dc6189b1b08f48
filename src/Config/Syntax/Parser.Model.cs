// What the grammar's productions add to the configuration once a statement has parsed.
namespace Smtpd.Config;

internal sealed partial class Parser
{
    private int _legacyActions;

    internal void AddTable(TableDef table) => _tables.Add(table);

    internal void AddRule(MatchRule rule) => _rules.Add(rule);

    internal void AddAction(ActionDef action) => _actions.Add(action);

    internal void AddFilter(FilterDef filter) => _filters.Add(filter);

    internal void AddProc(ProcDef proc) => _procs.Add(proc);

    internal void AddListener(ListenerDef listener) => _listeners.Add(listener);

    /// <summary>Several pki lines for one name add up; the first one gives the location.</summary>
    internal void MergePki(PkiDef settings, Token keyword)
    {
        var index = _pkis.FindIndex(p => p.Name == settings.Name);
        if (index < 0)
        {
            _pkis.Add(settings with { Where = Where(keyword) });
            return;
        }
        var pki = _pkis[index];
        _pkis[index] = pki with { Cert = settings.Cert ?? pki.Cert, Key = settings.Key ?? pki.Key, Dhe = settings.Dhe ?? pki.Dhe, Ocsp = settings.Ocsp || pki.Ocsp };
    }

    internal void MergeCa(string name, string cert, Token keyword)
    {
        var index = _cas.FindIndex(c => c.Name == name);
        if (index >= 0)
        {
            _cas[index] = _cas[index] with { Cert = cert };
        }
        else
        {
            _cas.Add(new CaDef { Name = name, Cert = cert, Where = Where(keyword) });
        }
    }

    internal SmtpdConfig Globals
    {
        get => _globals;
        set => _globals = value;
    }

    internal List<LimitSetting> MdaLimits => _mdaLimits;

    internal List<LimitSetting> SchedulerLimits => _schedulerLimits;

    internal List<LimitSetting> SmtpLimits => _smtpLimits;

    internal List<MtaLimitDef> MtaLimits => _mtaLimits;

    internal void AddWrapper(MdaWrapperDef wrapper, Token keyword)
    {
        if (_wrappers.Any(w => w.Name == wrapper.Name))
        {
            Error(keyword, $"mda wrapper \"{wrapper.Name}\" already defined");
            return;
        }
        _wrappers.Add(wrapper);
    }

    internal void AddLimits(List<LimitSetting> list, List<(LimitSetting Setting, Token Key)> limits)
    {
        foreach (var (setting, key) in limits)
        {
            // Zero sessions or a zero deadline would refuse every client.
            if (list == _smtpLimits && setting.Value < 1 && !setting.Key.StartsWith("max-mails", StringComparison.Ordinal) && setting.Key != "max-rcpt")
            {
                Error(key, $"invalid smtp limit: {setting.Key} must be at least 1");
            }
            list.Add(setting);
        }
    }

    /// <summary>A legacy rule becomes a match rule, and for accept rules an action named legacy-N.</summary>
    internal void AddLegacyRule(Token keyword, bool reject, List<MatchCriterion> criteria, ActionDef action)
    {
        var rule = new MatchRule { Criteria = NormalizeCriteria(criteria), Reject = reject, Where = Where(keyword) };
        if (reject)
        {
            _rules.Add(rule);
            Notice(keyword, $"legacy rule translated: {ConfigPrinter.FormatRule(rule)}");
            return;
        }
        _legacyActions++;
        var name = $"legacy-{_legacyActions}";
        action = action with { Name = name };
        rule = rule with { Action = name };
        _actions.Add(action);
        _rules.Add(rule);
        Notice(keyword, $"legacy rule translated: {ConfigPrinter.FormatAction(action)}; {ConfigPrinter.FormatRule(rule)}");
    }
}
