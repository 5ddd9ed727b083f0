namespace PocketNet.Torch.NN;

/// <summary>
/// Lets an analysis see every leaf layer's input and output during a forward pass (what PyTorch's
/// forward hooks are used for: FLOP counting, shape tracing). Observation is per thread and scoped:
/// <c>using (LayerObserver.Observe((layer, input, output) => ...)) network.Forward(x);</c>
/// </summary>
public static class LayerObserver
{
    public delegate void Callback(Module layer, Tensor input, Tensor output);

    [ThreadStatic] private static Callback? _current;

    public static IDisposable Observe(Callback callback)
    {
        Callback? previous = _current;
        _current = callback;
        return new Restore(previous);
    }

    /// <summary>
    /// Called by leaf layers after computing <paramref name="output"/>; returns it unchanged. Public so that layers
    /// outside the engine whose own arithmetic has a cost (EdgeFace's attention products) are seen too.
    /// </summary>
    public static Tensor Notify(Module layer, Tensor input, Tensor output)
    {
        _current?.Invoke(layer, input, output);
        return output;
    }

    private sealed class Restore(Callback? previous) : IDisposable
    {
        public void Dispose() => _current = previous;
    }
}
