using System.Runtime.InteropServices;

namespace PocketNet.Torch.Native;

/// <summary>
/// The exports of libpntorch (src/native). Signatures mirror the C ABI one to one; every call that can
/// fail is checked by the caller through <see cref="Check"/>, which turns libtorch's message into a
/// <see cref="TorchException"/>.
/// </summary>
internal static unsafe partial class NativeMethods
{
    internal const string Library = "pntorch";

    static NativeMethods() => NativeLibraryLoader.EnsureRegistered();

    /// <summary>Throws the pending native error when <paramref name="handle"/> signals failure.</summary>
    internal static IntPtr Check(IntPtr handle)
    {
        if (handle == IntPtr.Zero) throw TorchException.FromNative();
        return handle;
    }

    internal static void Check(int status)
    {
        if (status < 0) throw TorchException.FromNative();
    }

    // ---- errors and runtime
    [LibraryImport(Library)] internal static partial IntPtr pn_last_error();
    [LibraryImport(Library)] internal static partial void pn_clear_error();
    [LibraryImport(Library)] internal static partial IntPtr pn_version();
    [LibraryImport(Library)] internal static partial IntPtr pn_parallel_info();
    [LibraryImport(Library)] internal static partial int pn_cuda_device_count();
    [LibraryImport(Library)] internal static partial int pn_cuda_synchronize(int deviceIndex);
    [LibraryImport(Library)] internal static partial int pn_has_mkldnn();
    [LibraryImport(Library)] internal static partial int pn_get_num_threads();
    [LibraryImport(Library)] internal static partial void pn_set_num_threads(int n);
    [LibraryImport(Library)] internal static partial void pn_manual_seed(ulong seed);
    [LibraryImport(Library)] internal static partial int pn_autocast(int deviceType, int enabled, int dtype);
    [LibraryImport(Library)] internal static partial int pn_grad_enabled();
    [LibraryImport(Library)] internal static partial void pn_set_grad_enabled(int enabled);
    [LibraryImport(Library)] internal static partial void pn_free(IntPtr t);

    // ---- creation
    [LibraryImport(Library)] internal static partial IntPtr pn_from_data(void* data, long* shape, int ndim, int dtype, int deviceType, int deviceIndex);
    [LibraryImport(Library)] internal static partial IntPtr pn_full(long* shape, int ndim, double value, int dtype, int deviceType, int deviceIndex);
    [LibraryImport(Library)] internal static partial IntPtr pn_empty(long* shape, int ndim, int dtype, int deviceType, int deviceIndex);
    [LibraryImport(Library)] internal static partial IntPtr pn_arange(double start, double end, double step, int dtype, int deviceType, int deviceIndex);
    [LibraryImport(Library)] internal static partial IntPtr pn_random(int kind, long* shape, int ndim, int dtype, int deviceType, int deviceIndex);
    [LibraryImport(Library)] internal static partial IntPtr pn_randint(long low, long high, long* shape, int ndim, int deviceType, int deviceIndex);
    [LibraryImport(Library)] internal static partial IntPtr pn_randperm(long n, int deviceType, int deviceIndex);

    // ---- inspection
    [LibraryImport(Library)] internal static partial int pn_dim(IntPtr t);
    [LibraryImport(Library)] internal static partial long pn_numel(IntPtr t);
    [LibraryImport(Library)] internal static partial int pn_dtype(IntPtr t);
    [LibraryImport(Library)] internal static partial int pn_requires_grad(IntPtr t);
    [LibraryImport(Library)] internal static partial int pn_is_contiguous(IntPtr t);
    [LibraryImport(Library)] internal static partial int pn_is_leaf(IntPtr t);
    [LibraryImport(Library)] internal static partial void pn_shape(IntPtr t, long* shape);
    [LibraryImport(Library)] internal static partial void pn_device(IntPtr t, int* type, int* index);
    [LibraryImport(Library)] internal static partial int pn_copy_to_host(IntPtr t, void* dst, long nbytes);
    [LibraryImport(Library)] internal static partial int pn_item(IntPtr t, double* value);
    [LibraryImport(Library)] internal static partial int pn_item_long(IntPtr t, long* value);

    // ---- conversion
    [LibraryImport(Library)] internal static partial IntPtr pn_to(IntPtr t, int dtype, int deviceType, int deviceIndex, int copy);
    [LibraryImport(Library)] internal static partial IntPtr pn_contiguous(IntPtr t);
    [LibraryImport(Library)] internal static partial IntPtr pn_clone(IntPtr t);
    [LibraryImport(Library)] internal static partial IntPtr pn_detach(IntPtr t);
    [LibraryImport(Library)] internal static partial IntPtr pn_alias(IntPtr t);
    [LibraryImport(Library)] internal static partial int pn_copy_(IntPtr dst, IntPtr src);

    // ---- autograd
    [LibraryImport(Library)] internal static partial int pn_set_requires_grad(IntPtr t, int requires);
    [LibraryImport(Library)] internal static partial int pn_backward(IntPtr t, IntPtr grad, int retainGraph);
    [LibraryImport(Library)] internal static partial IntPtr pn_grad(IntPtr t);
    [LibraryImport(Library)] internal static partial int pn_set_grad(IntPtr t, IntPtr grad);
    [LibraryImport(Library)] internal static partial int pn_autograd_grad(IntPtr* outputs, int nOutputs, IntPtr* gradOutputs, IntPtr* inputs, int nInputs, int retainGraph, int createGraph, int allowUnused, IntPtr* results);

    // ---- element-wise
    [LibraryImport(Library)] internal static partial IntPtr pn_unary(IntPtr x, int op);
    [LibraryImport(Library)] internal static partial IntPtr pn_binary(IntPtr a, IntPtr b, int op);
    [LibraryImport(Library)] internal static partial IntPtr pn_binary_scalar(IntPtr a, double b, int integral, int op);
    [LibraryImport(Library)] internal static partial IntPtr pn_scalar_binary(double a, int integral, IntPtr b, int op);
    [LibraryImport(Library)] internal static partial int pn_binary_(IntPtr a, IntPtr b, int op);
    [LibraryImport(Library)] internal static partial int pn_binary_scalar_(IntPtr a, double b, int integral, int op);
    [LibraryImport(Library)] internal static partial int pn_add_scaled_(IntPtr a, IntPtr b, double alpha);
    [LibraryImport(Library)] internal static partial int pn_addcmul_(IntPtr a, IntPtr b, IntPtr c, double value);
    [LibraryImport(Library)] internal static partial int pn_addcdiv_(IntPtr a, IntPtr b, IntPtr c, double value);
    [LibraryImport(Library)] internal static partial int pn_lerp_(IntPtr a, IntPtr b, double weight);
    [LibraryImport(Library)] internal static partial IntPtr pn_clamp(IntPtr x, double min, int hasMin, double max, int hasMax);
    [LibraryImport(Library)] internal static partial IntPtr pn_where(IntPtr condition, IntPtr a, IntPtr b);
    [LibraryImport(Library)] internal static partial int pn_fill_(IntPtr t, double value);
    [LibraryImport(Library)] internal static partial int pn_random_(IntPtr t, int kind, double a, double b);

    // ---- views and shape
    [LibraryImport(Library)] internal static partial IntPtr pn_reshape(IntPtr x, long* shape, int n);
    [LibraryImport(Library)] internal static partial IntPtr pn_view(IntPtr x, long* shape, int n);
    [LibraryImport(Library)] internal static partial IntPtr pn_flatten(IntPtr x, long start, long end);
    [LibraryImport(Library)] internal static partial IntPtr pn_permute(IntPtr x, long* dims, int n);
    [LibraryImport(Library)] internal static partial IntPtr pn_transpose(IntPtr x, long a, long b);
    [LibraryImport(Library)] internal static partial IntPtr pn_slice(IntPtr x, long dim, long start, long end, long step);
    [LibraryImport(Library)] internal static partial IntPtr pn_narrow(IntPtr x, long dim, long start, long length);
    [LibraryImport(Library)] internal static partial IntPtr pn_select(IntPtr x, long dim, long index);
    [LibraryImport(Library)] internal static partial IntPtr pn_unsqueeze(IntPtr x, long dim);
    [LibraryImport(Library)] internal static partial IntPtr pn_squeeze(IntPtr x, long dim, int all);
    [LibraryImport(Library)] internal static partial IntPtr pn_expand(IntPtr x, long* shape, int n);
    [LibraryImport(Library)] internal static partial IntPtr pn_flip(IntPtr x, long* dims, int n);
    [LibraryImport(Library)] internal static partial IntPtr pn_constant_pad(IntPtr x, long* pads, int n, double value);
    [LibraryImport(Library)] internal static partial IntPtr pn_as_strided(IntPtr x, long* size, long* stride, int n, long offset);
    [LibraryImport(Library)] internal static partial IntPtr pn_cat(IntPtr* tensors, int n, long dim, int stack);

    // ---- indexing
    [LibraryImport(Library)] internal static partial IntPtr pn_index_select(IntPtr x, long dim, IntPtr index);
    [LibraryImport(Library)] internal static partial IntPtr pn_masked_select(IntPtr x, IntPtr mask);
    [LibraryImport(Library)] internal static partial IntPtr pn_gather(IntPtr x, long dim, IntPtr index);
    [LibraryImport(Library)] internal static partial IntPtr pn_scatter(IntPtr x, long dim, IntPtr index, IntPtr src, double value);
    [LibraryImport(Library)] internal static partial IntPtr pn_one_hot(IntPtr labels, long numClasses);

    // ---- reductions
    [LibraryImport(Library)] internal static partial IntPtr pn_reduce(IntPtr x, int op, long* dims, int n, int keepdim);
    [LibraryImport(Library)] internal static partial int pn_extreme_dim(IntPtr x, int kind, long dim, int keepdim, IntPtr* values, IntPtr* indices);
    [LibraryImport(Library)] internal static partial IntPtr pn_arg_extreme(IntPtr x, int kind, long dim, int hasDim, int keepdim);
    [LibraryImport(Library)] internal static partial int pn_topk(IntPtr x, long k, long dim, int largest, int sorted, IntPtr* values, IntPtr* indices);
    [LibraryImport(Library)] internal static partial int pn_sort(IntPtr x, long dim, int descending, IntPtr* values, IntPtr* indices);
    [LibraryImport(Library)] internal static partial IntPtr pn_cumsum(IntPtr x, long dim);
    [LibraryImport(Library)] internal static partial int pn_all_close(IntPtr a, IntPtr b, double rtol, double atol);

    // ---- linear algebra
    [LibraryImport(Library)] internal static partial IntPtr pn_matmul(IntPtr a, IntPtr b);
    [LibraryImport(Library)] internal static partial IntPtr pn_linear(IntPtr x, IntPtr weight, IntPtr bias);

    // ---- neural-network kernels
    [LibraryImport(Library)] internal static partial IntPtr pn_conv2d(IntPtr x, IntPtr weight, IntPtr bias, long* stride, long* padding, long* dilation, long groups);
    [LibraryImport(Library)] internal static partial IntPtr pn_batch_norm(IntPtr x, IntPtr weight, IntPtr bias, IntPtr runningMean, IntPtr runningVar, int training, double momentum, double eps);
    [LibraryImport(Library)] internal static partial IntPtr pn_prelu(IntPtr x, IntPtr weight);
    [LibraryImport(Library)] internal static partial IntPtr pn_max_pool2d(IntPtr x, long* kernel, long* stride, long* padding, long* dilation, int ceilMode);
    [LibraryImport(Library)] internal static partial IntPtr pn_avg_pool2d(IntPtr x, long* kernel, long* stride, long* padding, int ceilMode, int countIncludePad);
    [LibraryImport(Library)] internal static partial IntPtr pn_adaptive_avg_pool2d(IntPtr x, long* outputSize);
    [LibraryImport(Library)] internal static partial IntPtr pn_dropout(IntPtr x, double p, int training);
    [LibraryImport(Library)] internal static partial IntPtr pn_softmax(IntPtr x, long dim, int kind);
    [LibraryImport(Library)] internal static partial IntPtr pn_cross_entropy(IntPtr logits, IntPtr target, IntPtr weight, int reduction, long ignoreIndex, double labelSmoothing);
    [LibraryImport(Library)] internal static partial IntPtr pn_nll_loss(IntPtr logProbs, IntPtr target, int reduction, long ignoreIndex);
    [LibraryImport(Library)] internal static partial IntPtr pn_mse_loss(IntPtr input, IntPtr target, int reduction);
    [LibraryImport(Library)] internal static partial IntPtr pn_normalize(IntPtr x, double p, long dim, double eps);
    [LibraryImport(Library)] internal static partial int pn_clip_grad_norm(IntPtr* parameters, int n, double maxNorm, double normType, double* total);
}
