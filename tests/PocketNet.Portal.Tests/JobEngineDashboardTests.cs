using System.Net;
using System.Net.Http.Json;
using PocketNet.Portal.Api;
using PocketNet.Portal.Jobs.Workers;
using PocketNet.Portal.Tests.Support;

namespace PocketNet.Portal.Tests;

/// <summary>The job engine's dashboard is the admin's alone; the queues this portal's worker serves are listed.</summary>
[Collection(IdlePortalCollection.Name)]
public sealed class JobEngineDashboardTests(IdlePortal idle)
{
    [Fact]
    public async Task Anonymous_visitors_are_sent_to_the_login_page_instead_of_the_engine_dashboard()
    {
        HttpResponseMessage response = await idle.Anonymous.GetAsync(PortalJobsSetup.DashboardPath);
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/login", new Uri(idle.Anonymous.BaseAddress!, response.Headers.Location!).AbsolutePath);
        HttpResponseMessage api = await idle.Anonymous.GetAsync(PortalJobsSetup.DashboardPath + "/stats");
        Assert.NotEqual(HttpStatusCode.OK, api.StatusCode);
    }

    [Fact]
    public async Task The_admin_sees_the_engine_dashboard_with_this_hosts_server()
    {
        HttpResponseMessage response = await idle.Admin.GetAsync(PortalJobsSetup.DashboardPath + "/servers");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains($":{Environment.ProcessId}:cpu", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task The_datasets_page_has_no_home_warning_when_the_worker_shares_the_home()
    {
        await The_queues_live_workers_serve_are_listed_with_their_worker();
        Assert.DoesNotContain("worker-home-warning", await idle.Anonymous.GetStringAsync("/datasets"));
    }

    [Fact]
    public async Task The_queues_live_workers_serve_are_listed_with_their_worker()
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromMinutes(1);
        List<QueueView> queues;
        while ((queues = (await idle.Anonymous.GetFromJsonAsync<List<QueueView>>("/api/queues", ApiJson.Options))!).Count == 0 && DateTime.UtcNow < deadline)
            await Task.Delay(200);
        QueueView cpu = Assert.Single(queues, q => q.Name == "cpu");
        QueueWorker worker = Assert.Single(cpu.Workers);
        Assert.Equal($"{Environment.MachineName}:{Environment.ProcessId}".ToLowerInvariant(), worker.Worker.ToLowerInvariant());
        Assert.Equal(1, worker.Concurrency);
    }
}
