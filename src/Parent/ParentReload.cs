// smtpctl reload and SIGHUP: smtpd.conf is read and checked again. A file with errors is
// refused, each error with its file:line, and the running configuration stays. Rules, actions
// and tables take effect for new sessions and deliveries (the lookup agent rebuilds them; the
// parent runs deliveries with the new actions), as do the scheduler's limit and the bounce
// warning intervals; sessions and the queue are untouched. A change anywhere else (listeners,
// pki, filters, other limits, queue options, globals) is refused with what changed named:
// those need a restart.
using Smtpd.Config;
using Smtpd.Ipc;
using Smtpd.Ipc.Messages;
using Smtpd.Runtime;

namespace Smtpd.Parent;

internal sealed partial class ParentProcess
{
    private async Task ReloadOnSignalsAsync()
    {
        await foreach (bool _ in _reloadRequests.Reader.ReadAllAsync())
        {
            Log.Info("info: SIGHUP received: reloading the configuration");
            var r = Reload();
            if (!r.Ok)
            {
                Log.Warn($"warn: reload refused: {r.Text}");
            }
        }
    }

    private CtlResult Reload()
    {
        var result = ParentConfig.Reload(_options);
        if (result.Config is not { } config)
        {
            foreach (var e in result.Errors)
            {
                Log.Warn($"warn: reload: {e}");
            }

            return new CtlResult(false, "configuration has errors, running configuration kept: " + string.Join("; ", result.Errors.Select(e => e.ToString())));
        }

        var changed = ConfigReload.NeedRestart(_model, config);
        if (changed.Count > 0)
        {
            string what = string.Join(", ", changed);
            Log.Warn($"warn: reload: {what} changed: these need a restart of smtpd; running configuration kept");
            return new CtlResult(false, $"{what} changed: restart smtpd to apply; running configuration kept");
        }

        _model = config;
        _config = ConfigSerializer.Serialize(config);
        _children[ProcRole.Lka].Channel.PostAs(ImsgType.ConfigReload, new SetupConfig(_config));
        _children[ProcRole.Scheduler].Channel.PostAs(ImsgType.ConfigReload, new SetupConfig(_config));
        Log.Info("info: configuration reloaded");
        if (_model.Pkis.Count > 0)
        {
            ReloadCertificates();
        }

        return new CtlResult(true, string.Empty);
    }

    /// <summary>smtpd -P mda|mta|smtp: the subsystems paused from the start, as smtpctl pause would; sent during setup.</summary>
    private void PauseAtStart()
    {
        foreach (string p in _options.Paused)
        {
            var type = p switch
            {
                "smtp" => ImsgType.CtlPauseSmtp,
                "mta" => ImsgType.CtlPauseMta,
                _ => ImsgType.CtlPauseMda,
            };
            _children[ProcRole.Control].Channel.PostEmpty(type);
            _children[type == ImsgType.CtlPauseSmtp ? ProcRole.Dispatcher : ProcRole.Scheduler].Channel.PostEmpty(type);
        }
    }
}
