using Celeriac.Operator;

return await OperatorCommandLine.InvokeAsync(args, Console.Out, Console.Error, OperatorHost.RunAsync).ConfigureAwait(false);
