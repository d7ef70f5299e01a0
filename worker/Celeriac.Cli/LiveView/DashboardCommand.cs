using System.CommandLine;
using Celeriac.Dashboard;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Celeriac.Cli.LiveView;

/// <summary><c>celeriac dashboard</c>: serves the web dashboard on the broker and store the other commands use, until stopped.</summary>
public static class DashboardCommand
{
    public static Command Create(CliServices services, TextWriter output, TextWriter error)
    {
        var urls = new Option<string>("--urls") { Description = $"Where to listen (default {DashboardHost.DefaultUrls}: this machine only)", DefaultValueFactory = _ => DashboardHost.DefaultUrls };
        var readOnly = new Option<bool>("--read-only") { Description = "Refuse every action (revoke, replay, delete, control)" };
        var kubeconfig = new Option<string?>("--kubeconfig") { Description = "The kubeconfig to read TaskQueues with (default: $KUBECONFIG, ~/.kube/config, or the pod's service account)" };
        var command = new Command("dashboard", "Serve the web dashboard: queues, workers, tasks, dead letters, revocations, schedules, TaskQueues. Actions need a token (Celeriac__Dashboard__Token or TokenFile; else one is generated and printed).") { urls, readOnly, kubeconfig };
        command.SetAction(CliApp.Guard(services, error, async (result, cancellationToken) =>
        {
            var listen = result.GetValue(urls)!;
            await using var app = DashboardHost.Build(services.Configuration(result), listen, o =>
            {
                o.ReadOnly |= result.GetValue(readOnly);
                o.Kubeconfig = result.GetValue(kubeconfig) ?? o.Kubeconfig;
            });
            var token = app.Services.GetRequiredService<DashboardToken>();
            await app.StartAsync(cancellationToken);
            output.WriteLine($"Celeriac dashboard on {string.Join(", ", app.Urls)}");
            if (!DashboardHost.IsLoopbackOnly(listen))
                output.WriteLine("warning: listening beyond this machine; put the platform's authentication in front of it, or use --read-only");
            if (result.GetValue(readOnly)) output.WriteLine("read-only: actions are refused");
            else if (token.Generated) output.WriteLine($"actions need this token (generated; set Celeriac__Dashboard__Token to choose one): {token.Value}");
            try
            {
                await Task.Delay(Timeout.Infinite, cancellationToken);
            }
            catch (OperationCanceledException)
            {
            }
            await app.StopAsync(CancellationToken.None);
            return 0;
        }));
        return command;
    }
}
