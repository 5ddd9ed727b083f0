using Microsoft.AspNetCore.Components;
using PocketNet.Portal.Live;

namespace PocketNet.Portal.Components.Shared;

/// <summary>
/// A component that shows job state and keeps it current over its circuit. It loads in <see cref="LoadAsync"/>
/// (prerendered first, so the first paint and a shared link show real data); once interactive, every job update it
/// <see cref="Wants"/> schedules one reload, at most one per <see cref="ReloadDelay"/>, so a job reporting every step
/// costs a page one read per interval.
/// </summary>
public abstract class LiveComponent : ComponentBase, IDisposable
{

    private IDisposable? _subscription;
    private int _reloadPending;
    private bool _disposed;

    [Inject] private JobUpdateFeed Feed { get; set; } = default!;
    [Inject] private ILogger<LiveComponent> Log { get; set; } = default!;

    /// <summary>Reads what the component shows.</summary>
    protected abstract Task LoadAsync();

    /// <summary>Whether an update of this job changes what the component shows.</summary>
    protected abstract bool Wants(JobUpdate update);

    /// <summary>How long updates are gathered before one reload: short for a job's own page, longer for whole tables.</summary>
    protected virtual TimeSpan ReloadDelay => TimeSpan.FromMilliseconds(400);

    /// <summary>
    /// "connected" once the component runs over a circuit and receives updates, "prerendered" before: components put
    /// it on their root element as data-live, which is how a browser (or a test) knows the page has gone live.
    /// </summary>
    protected string LiveState => RendererInfo.IsInteractive ? "connected" : "prerendered";

    protected override void OnInitialized()
    {
        // Only a live circuit subscribes (a prerender is thrown away once sent), and before its first render, so that
        // a page showing data-live="connected" misses no update.
        if (RendererInfo.IsInteractive) _subscription = Feed.Subscribe(OnUpdate);
    }

    protected override async Task OnParametersSetAsync() => await LoadAsync();

    private void OnUpdate(JobUpdate update)
    {
        if (_disposed || !Wants(update) || Interlocked.Exchange(ref _reloadPending, 1) == 1) return;
        _ = ReloadLaterAsync();
    }

    private async Task ReloadLaterAsync()
    {
        await Task.Delay(ReloadDelay);
        Interlocked.Exchange(ref _reloadPending, 0);
        if (_disposed) return;
        try
        {
            await InvokeAsync(async () =>
            {
                await LoadAsync();
                StateHasChanged();
            });
        }
        catch (Exception e)
        {
            // A store that cannot be read now is read again on the next update; the page keeps what it shows.
            if (!_disposed) Log.LogWarning(e, "{Component} could not reload", GetType().Name);
        }
    }

    public void Dispose()
    {
        _disposed = true;
        _subscription?.Dispose();
        GC.SuppressFinalize(this);
    }
}
