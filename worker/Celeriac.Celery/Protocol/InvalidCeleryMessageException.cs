namespace Celeriac.Celery.Protocol;

/// <summary>A message that is not a Celery task message Celeriac can read; its text is the reason it is dead-lettered with.</summary>
public sealed class InvalidCeleryMessageException(string message, Exception? inner = null) : Exception(message, inner);
