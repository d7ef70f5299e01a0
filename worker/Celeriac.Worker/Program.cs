using Celeriac.Hosting;
using Celeriac.WorkerHost;

var parsed = WorkerCommandLine.Parse(args, Console.Out, Console.Error);
if (parsed.Arguments is not { } arguments) return parsed.ExitCode ?? WorkerCommandLine.Usage;
return await CeleriacWorkerHost.RunAsync(arguments, Console.Error);
