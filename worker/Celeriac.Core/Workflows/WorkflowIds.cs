using System.Security.Cryptography;
using System.Text;

namespace Celeriac.Workflows;

/// <summary>
/// Task ids of workflow steps, derived from their place in the workflow (the id of the step that started them and
/// their position), so that a redelivered step re-sends its successors under the same ids.
/// </summary>
internal static class WorkflowIds
{
    public static string For(string seed)
    {
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(seed), hash);
        return new Guid(hash[..16]).ToString();
    }

    public static string Next(string taskId) => taskId + "/next";

    public static string Member(string seed, int index) => seed + "/" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static string Join(string seed) => For(seed + "/join");
}
