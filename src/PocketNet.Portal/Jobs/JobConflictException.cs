namespace PocketNet.Portal.Jobs;

/// <summary>A job command that does not fit the job's state (resuming a running job, deleting one that runs); the API answers 409.</summary>
public sealed class JobConflictException(string message) : InvalidOperationException(message);
