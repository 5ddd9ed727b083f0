using PocketNet.Torch;
using PocketNet.Torch.NN;

namespace PocketNet.Models.MixFaceNets;

/// <summary>
/// Modules applied in order under names of their own, as an nn.Sequential filled with add_module("stage1", ...):
/// the official MixNet's <c>features</c> (init_block, stage1..4) and each stage (unit1, unit2, ...).
/// </summary>
public sealed class NamedSequence : Module<Tensor, Tensor>
{
    private readonly List<Module<Tensor, Tensor>> _modules = new();

    public NamedSequence Append(string name, Module<Tensor, Tensor> module)
    {
        _modules.Add(RegisterModule(name, module));
        return this;
    }

    public override Tensor Forward(Tensor input)
    {
        using var scope = DisposeScope.Enter();
        Tensor x = input;
        foreach (var module in _modules) x = module.Forward(x);
        return (ReferenceEquals(x, input) ? x.Alias() : x).MoveToOuterScope();
    }
}
