using System.Globalization;
using Celeriac.Brokers;
using Celeriac.Scheduling;
using Celeriac.Locks;
using Celeriac.RateLimits;
using Celeriac.Tasks;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Celeriac.Hosting;

/// <summary>
/// What a worker host checks before it starts and tells when it does: the settings files it read, the broker and the
/// store, every registered task with its queue and options (a warning when there is none), the schedules.
/// </summary>
public static partial class StartupReport
{
    /// <summary>What is known only before the host is built.</summary>
    /// <param name="FilesRead">The settings files read, in order.</param>
    /// <param name="SqliteFileExisted">For the SQLite broker, whether its file was there before this process; null for other brokers.</param>
    public sealed record Facts(IReadOnlyList<string> FilesRead, bool? SqliteFileExisted);

    /// <summary>
    /// Resolves what the worker needs to start, so that a bad setting fails here, once, with its own exception: the
    /// options validated at start, the tasks' options, the broker and the store.
    /// </summary>
    public static void Check(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        services.GetService<IStartupValidator>()?.Validate();
        services.GetRequiredService<TaskRegistry>();
        services.GetRequiredService<IBroker>();
        services.GetRequiredService<IRateLimiter>();
    }

    public static void Log(IServiceProvider services)
    {
        ArgumentNullException.ThrowIfNull(services);
        var logger = services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(StartupReport).FullName!);
        var facts = services.GetService<Facts>();
        var celeriac = services.GetRequiredService<IConfiguration>().GetSection("Celeriac");

        if (facts is not null) LogFiles(logger, facts.FilesRead.Count == 0 ? "none" : string.Join(", ", facts.FilesRead));
        var broker = BrokerDescription.Broker(celeriac);
        if (facts?.SqliteFileExisted == false) LogCreated(logger, BrokerDescription.SqliteBrokerPath(celeriac));
        LogBroker(logger, broker, BrokerDescription.Store(celeriac));

        var tasks = services.GetRequiredService<TaskRegistry>().All.OrderBy(t => t.Name, StringComparer.Ordinal).ToList();
        if (tasks.Count == 0) LogNoTasks(logger);
        foreach (var task in tasks) LogTask(logger, task.Name, task.Options.Queue, Describe(task.Options), task.TaskType.FullName ?? task.TaskType.Name);

        var schedules = services.GetService<IReadOnlyList<ScheduleDefinition>>() ?? [];
        foreach (var schedule in schedules) LogSchedule(logger, schedule.Name, schedule.Task, schedule.Recurrence.ToString(), schedule.Suspend ? " (suspended)" : "");
    }

    private static string Describe(TaskOptions options)
    {
        var parts = new List<string> { string.Create(CultureInfo.InvariantCulture, $"max retries {options.MaxRetries}") };
        if (options.SoftTimeLimit is { } soft) parts.Add($"soft time limit {soft}");
        if (options.HardTimeLimit is { } hard) parts.Add($"hard time limit {hard}");
        if (options.Expires is { } expires) parts.Add($"expires {expires}");
        if (!string.IsNullOrWhiteSpace(options.RateLimit)) parts.Add($"rate limit {options.RateLimit}");
        if (options.Lock != TaskLockMode.None) parts.Add($"lock {options.Lock}");
        if (!options.AcksLate) parts.Add("acks early");
        if (options.StoreResult == true) parts.Add("stores its result");
        if (options.MaskArgs) parts.Add("args masked");
        return string.Join(", ", parts);
    }

    [LoggerMessage(1001, LogLevel.Information, "Settings files read: {Files}")]
    private static partial void LogFiles(ILogger logger, string files);

    [LoggerMessage(1002, LogLevel.Information, "Created the SQLite broker file {Path}")]
    private static partial void LogCreated(ILogger logger, string path);

    [LoggerMessage(1003, LogLevel.Information, "Broker: {Broker}; store: {Store}")]
    private static partial void LogBroker(ILogger logger, string broker, string store);

    [LoggerMessage(1004, LogLevel.Warning, "No task is registered: every message received will be dead-lettered as an unknown task. Give task assemblies with --tasks (Celeriac:Worker:TaskAssemblies)")]
    private static partial void LogNoTasks(ILogger logger);

    [LoggerMessage(1005, LogLevel.Information, "Task {Task}: queue {Queue}, {Options} ({Type})")]
    private static partial void LogTask(ILogger logger, string task, string queue, string options, string type);

    [LoggerMessage(1006, LogLevel.Information, "Schedule {Schedule}: {Task} {Recurrence}{Suspended}")]
    private static partial void LogSchedule(ILogger logger, string schedule, string task, string recurrence, string suspended);
}
