namespace PocketNet.Portal.Jobs;

/// <summary>A command that does not fit the state of what it acts on (resuming a running job, deleting a published reference row); the API answers 409.</summary>
public sealed class ConflictException(string message) : InvalidOperationException(message);
