namespace PocketNet.Training.Tests.Search;

/// <summary>
/// Tests whose outcome depends on the exact draws of libtorch's global generator after a manual seed
/// (finite-difference checks at a seeded point, a resumed search compared with a straight one): a test
/// running alongside would draw from the same generator, so these run on their own.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class GlobalRandomCollection
{
    public const string Name = "global random generator";
}
