using System.Net.Http.Json;
using Bunit.TestDoubles;
using Microsoft.AspNetCore.Components;
using PocketNet.Portal.Api;
using PocketNet.Portal.Auth;
using PocketNet.Application.Training;

namespace PocketNet.Portal.ComponentTests;

/// <summary>
/// A bUnit context whose services are a real in-process portal's (store, job queue, job feed), for components that
/// read or change jobs; rendered as the interactive server renders them.
/// </summary>
public abstract class PortalComponentContext : BunitContext
{
    protected PortalFactory Portal { get; } = new();

    private readonly BunitAuthorizationContext _authorization;

    protected PortalComponentContext()
    {
        _ = Portal.Server; // starts the portal: its store is migrated and its workers run
        // Signed out until a test signs in; registered before any service is read, as bUnit requires.
        _authorization = AddAuthorization();
        Services.AddFallbackServiceProvider(Portal.Services);
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    protected void SignInAsAdmin() => _authorization.SetAuthorized("admin").SetRoles(PortalAuthentication.AdminRole);

    protected async Task<JobView> StartAsync(TrainingRequest request)
    {
        HttpResponseMessage response = await Portal.CreateAdminClient().PostAsJsonAsync("/api/runs", request);
        response.EnsureSuccessStatusCode();
        return (await response.Content.ReadFromJsonAsync<JobView>(ApiJson.Options))!;
    }

    protected override void Dispose(bool disposing)
    {
        base.Dispose(disposing);
        if (disposing) Portal.Dispose();
    }
}
