namespace PocketNet.Portal.Tests.Support;

/// <summary>
/// One portal shared by the tests that start no real work (refusals, bad requests, seeded rows): they run one
/// after another in <see cref="IdlePortalCollection"/>, so each may count jobs or models before and after itself.
/// </summary>
public sealed class IdlePortal : IDisposable
{
    public IdlePortal()
    {
        Portal = new PortalFactory();
        Admin = Portal.CreateAdminClient();
        Anonymous = Portal.CreateClient(new() { AllowAutoRedirect = false });
    }

    public PortalFactory Portal { get; }

    /// <summary>Sends the API key.</summary>
    public HttpClient Admin { get; }

    /// <summary>No credentials, and redirects are not followed (so a refusal that redirects would show).</summary>
    public HttpClient Anonymous { get; }

    public void Dispose() => Portal.Dispose();
}

[CollectionDefinition(Name)]
public sealed class IdlePortalCollection : ICollectionFixture<IdlePortal>
{
    public const string Name = "idle portal";
}
