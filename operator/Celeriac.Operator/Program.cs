using Celeriac.Operator;
using Celeriac.Operator.Rendering;

if (args.Length > 0 && args[0] == "render")
{
    return RenderCommand(args[1..]);
}
return await OperatorHost.RunAsync(args).ConfigureAwait(false);

static int RenderCommand(string[] args)
{
    string? file = null;
    var options = new RenderOptions();
    for (var i = 0; i < args.Length; i++)
    {
        switch (args[i])
        {
            case "-f" or "--file" when i + 1 < args.Length:
                file = args[++i];
                break;
            case "--service-monitors":
                options = options with { ServiceMonitors = true };
                break;
            default:
                Console.Error.WriteLine($"unknown argument '{args[i]}'; usage: celeriac-operator render -f taskqueue.yaml [--service-monitors]");
                return 2;
        }
    }
    if (file is null)
    {
        Console.Error.WriteLine("usage: celeriac-operator render -f taskqueue.yaml [--service-monitors]   (- reads standard input)");
        return 2;
    }
    try
    {
        var yaml = file == "-" ? Console.In.ReadToEnd() : File.ReadAllText(file);
        var (output, errors) = OfflineRenderer.Render(yaml, options);
        foreach (var error in errors) Console.Error.WriteLine(error);
        if (output is null) return 1;
        Console.Out.Write(output);
        return 0;
    }
    catch (Exception e) when (e is IOException or UnauthorizedAccessException or YamlDotNet.Core.YamlException or System.Text.Json.JsonException or FormatException)
    {
        Console.Error.WriteLine($"{file}: {e.Message}");
        return 1;
    }
}
