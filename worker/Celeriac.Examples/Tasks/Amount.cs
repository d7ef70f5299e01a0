namespace Celeriac.Examples.Tasks;

/// <summary>A number flowing through the workflow examples, with how long each step should take on it.</summary>
public sealed record Amount(long Value, int Milliseconds = 0);
