using Celeriac.Hosting;

var builder = CeleriacWorkerHost.CreateBuilder(args);
var app = builder.Build();
return await CeleriacWorkerHost.RunAsync(app);
