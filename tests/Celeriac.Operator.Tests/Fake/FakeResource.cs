namespace Celeriac.Operator.Tests.Fake;

/// <summary>A resource the fake API server serves; <paramref name="HasStatus"/> is the status subresource.</summary>
public sealed record FakeResource(string Group, string Version, string Plural, string Kind, bool Namespaced, bool HasStatus)
{
    public string ApiVersion => Group.Length == 0 ? Version : $"{Group}/{Version}";
}
