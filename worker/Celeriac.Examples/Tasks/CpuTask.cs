using System.Security.Cryptography;
using Celeriac.Tasks;

namespace Celeriac.Examples.Tasks;

public sealed record CpuArgs(int Rounds);

/// <summary>CPU-bound: hashes a buffer <c>Rounds</c> times.</summary>
[CeleriacTask("demo.cpu", Queue = "default")]
public sealed class CpuTask : ICeleriacTask<CpuArgs, string>
{
    public Task<string> RunAsync(CpuArgs args, TaskContext context)
    {
        Span<byte> buffer = stackalloc byte[32];
        for (var i = 0; i < args.Rounds; i++)
        {
            context.CancellationToken.ThrowIfCancellationRequested();
            SHA256.HashData(buffer, buffer);
        }
        return Task.FromResult(Convert.ToHexString(buffer));
    }
}
