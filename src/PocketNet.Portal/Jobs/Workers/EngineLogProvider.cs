using HangfireLogLevel = Hangfire.Logging.LogLevel;

namespace PocketNet.Portal.Jobs.Workers;

/// <summary>
/// Hangfire logs through one process-wide provider (its GlobalConfiguration), and its ASP.NET Core integration sets
/// it to the logger factory of whichever host started last. Once that host is disposed, every engine call that logs
/// throws, in any other host of the process (tests host several). This provider forwards to the newest host's
/// logging while it lives and drops the engine's messages otherwise, instead of failing the call that logged.
/// </summary>
public sealed class EngineLogProvider : Hangfire.Logging.ILogProvider
{
    public static readonly EngineLogProvider Instance = new();

    private volatile ILoggerFactory? _factory;

    private EngineLogProvider()
    {
    }

    public EngineLogProvider Use(ILoggerFactory factory)
    {
        _factory = factory;
        return this;
    }

    public Hangfire.Logging.ILog GetLogger(string name) => new ForwardingLog(this, name);

    private sealed class ForwardingLog(EngineLogProvider provider, string name) : Hangfire.Logging.ILog
    {
        public bool Log(HangfireLogLevel logLevel, Func<string>? messageFunc, Exception? exception = null)
        {
            if (provider._factory is not { } factory) return false;
            try
            {
                ILogger logger = factory.CreateLogger(name);
                LogLevel level = logLevel switch
                {
                    HangfireLogLevel.Trace => LogLevel.Trace,
                    HangfireLogLevel.Debug => LogLevel.Debug,
                    HangfireLogLevel.Info => LogLevel.Information,
                    HangfireLogLevel.Warn => LogLevel.Warning,
                    HangfireLogLevel.Error => LogLevel.Error,
                    _ => LogLevel.Critical,
                };
                if (messageFunc is null) return logger.IsEnabled(level);
                if (logger.IsEnabled(level)) logger.Log(level, exception, "{Message}", messageFunc());
                return true;
            }
            catch (ObjectDisposedException)
            {
                return false;
            }
        }
    }
}
