using System.Text.Json.Nodes;

namespace Celeriac.Operator.Kubernetes;

public sealed record ObjectList(string ResourceVersion, IReadOnlyList<JsonObject> Items);
