namespace PocketNet.Torch.Distributed;

/// <summary>How an all-reduce combines the ranks' tensors (numbered as the C ABI numbers them).</summary>
public enum ReduceOp
{
    Sum = 0,
    Average = 1,
    Max = 2,
    Min = 3,
}
