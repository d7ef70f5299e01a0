using Celeriac.Cli;

return await CliApp.Create(Console.Out, Console.Error).Parse(args).InvokeAsync();
