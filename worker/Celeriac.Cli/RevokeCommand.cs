using System.CommandLine;
using Celeriac.Client;
using Celeriac.Revocation;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Cli;

/// <summary><c>celeriac revoke ID | --task NAME</c>: discarded if still queued, cancelled within a second if running.</summary>
public static class RevokeCommand
{
    public static Command Create(CliServices services, TextWriter output, TextWriter error)
    {
        var id = new Argument<string?>("id") { Description = "Task id", Arity = ArgumentArity.ZeroOrOne };
        var task = new Option<string?>("--task") { Description = "Revoke every queued or running task of this name (enqueued until now) instead of one id" };
        var expires = new Option<TimeSpan?>("--expires") { Description = "How long the revocation is remembered, e.g. 1.00:00:00 (default 1 day)", CustomParser = CliValues.Duration("--expires") };
        var command = new Command("revoke", "Revoke a task, or every task of a name: discarded if still queued, cancelled within a second if running.") { id, task, expires };
        command.Validators.Add(result =>
        {
            if (string.IsNullOrEmpty(result.GetValue(id)) == string.IsNullOrEmpty(result.GetValue(task))) result.AddError("give either a task id or --task NAME");
        });
        command.SetAction(CliApp.Guard(services, error, async (result, cancellationToken) =>
        {
            var taskName = result.GetValue(task);
            await using var provider = services.Build(result);
            RequireSharedStore(provider);
            var control = provider.GetRequiredService<TaskControl>();
            if (taskName is not null)
            {
                await control.RevokeTaskNameAsync(taskName, result.GetValue(expires), cancellationToken).ConfigureAwait(false);
                await output.WriteLineAsync($"Revoked every '{taskName}' task enqueued until now.").ConfigureAwait(false);
            }
            else
            {
                var taskId = result.GetValue(id)!;
                await control.RevokeAsync(taskId, result.GetValue(expires), cancellationToken).ConfigureAwait(false);
                await output.WriteLineAsync($"Revoked {taskId}.").ConfigureAwait(false);
            }
            return CliApp.Done;
        }));
        return command;
    }

    /// <summary>Revocations and results live in the store: one that only this process sees would silently do nothing.</summary>
    internal static void RequireSharedStore(IServiceProvider provider)
    {
        if (provider.GetRequiredService<IRevocationStore>() is InMemoryRevocationStore)
            throw new InvalidOperationException("this broker has no shared store (revocations and results need a shared one: set Celeriac__Store__Type=redis and Celeriac__Store__Redis__ConnectionString)");
    }
}
