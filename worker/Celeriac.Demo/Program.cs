using Celeriac.Demo;

DemoSettings settings;
try
{
    settings = DemoSettings.Parse(args);
}
catch (Exception ex) when (ex is ArgumentException or FormatException)
{
    Console.Error.WriteLine(ex.Message);
    return 2;
}
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) => { e.Cancel = true; cancel.Cancel(); };
return await new MainJob(settings, Console.Out).RunAsync(cancel.Token);
