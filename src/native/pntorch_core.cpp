// Runtime, creation, inspection, conversion and autograd entry points.
#include "pntorch.h"

#include <ATen/Parallel.h>
#include <ATen/autocast_mode.h>
#include <torch/csrc/autograd/autograd.h>
#include <torch/cuda.h>
#include <torch/version.h>

#include <cstring>

namespace pn {
namespace {
thread_local std::string last_error;
thread_local bool has_error = false;
}  // namespace

void set_error(const char* message) {
  last_error = message ? message : "";
  has_error = true;
}

void clear_error() { has_error = false; }
}  // namespace pn

// ---- errors and runtime -------------------------------------------------------------------------

PN_API const char* pn_last_error() { return pn::has_error ? pn::last_error.c_str() : nullptr; }
PN_API void pn_clear_error() { pn::clear_error(); }

PN_API const char* pn_version() { return TORCH_VERSION; }

PN_API const char* pn_parallel_info() {
  thread_local std::string info;
  info = at::get_parallel_info();
  return info.c_str();
}

PN_API int pn_cuda_device_count() {
  PN_TRY
  return torch::cuda::is_available() ? static_cast<int>(torch::cuda::device_count()) : 0;
  PN_CATCH(-1)
}

PN_API int pn_cuda_synchronize(int device_index) {
  PN_TRY
  torch::cuda::synchronize(device_index);
  return 0;
  PN_CATCH(-1)
}

PN_API int pn_has_mkldnn() { return at::hasMKLDNN() ? 1 : 0; }
PN_API int pn_get_num_threads() { return at::get_num_threads(); }
PN_API void pn_set_num_threads(int n) { at::set_num_threads(n); }

PN_API void pn_manual_seed(uint64_t seed) { at::manual_seed(seed); }

// Mixed precision on this thread: enabled = 1 enters autocast to `dtype` for the device type (0 CPU, 1 CUDA),
// 0 leaves it (dropping autocast's cast cache at the outermost exit). Returns whether it was on before.
PN_API int pn_autocast(int device_type, int enabled, int dtype) {
  PN_TRY
  bool cuda = device_type == 1;
  bool previous = cuda ? at::autocast::is_enabled() : at::autocast::is_cpu_enabled();
  if (enabled) {
    if (cuda)
      at::autocast::set_autocast_gpu_dtype(pn::dtype(dtype));
    else
      at::autocast::set_autocast_cpu_dtype(pn::dtype(dtype));
    at::autocast::increment_nesting();
  } else if (at::autocast::decrement_nesting() == 0) {
    at::autocast::clear_cache();
  }
  if (cuda)
    at::autocast::set_enabled(enabled != 0);
  else
    at::autocast::set_cpu_enabled(enabled != 0);
  return previous ? 1 : 0;
  PN_CATCH(-1)
}

PN_API int pn_grad_enabled() { return at::GradMode::is_enabled() ? 1 : 0; }
PN_API void pn_set_grad_enabled(int enabled) { at::GradMode::set_enabled(enabled != 0); }

PN_API void pn_free(pn_tensor t) { delete t; }

// ---- creation -----------------------------------------------------------------------------------

static at::TensorOptions options(int dtype, int device_type, int device_index) {
  return at::TensorOptions().dtype(pn::dtype(dtype)).device(pn::device(device_type, device_index));
}

// Copies `data` (dense, row-major, of the given element type) into a new tensor on the device.
PN_API pn_tensor pn_from_data(const void* data, const int64_t* shape, int ndim, int dtype, int device_type,
                              int device_index) {
  PN_TRY
  auto cpu = at::empty(pn::ints(shape, ndim), at::TensorOptions().dtype(pn::dtype(dtype)));
  if (cpu.numel() > 0) std::memcpy(cpu.data_ptr(), data, cpu.numel() * cpu.element_size());
  return pn::wrap(device_type == 0 ? cpu : cpu.to(pn::device(device_type, device_index)));
  PN_CATCH(nullptr)
}

PN_API pn_tensor pn_full(const int64_t* shape, int ndim, double value, int dtype, int device_type, int device_index) {
  PN_TRY
  auto opts = options(dtype, device_type, device_index);
  bool integral = at::isIntegralType(pn::dtype(dtype), /*includeBool=*/true);
  return pn::wrap(at::full(pn::ints(shape, ndim), pn::scalar(value, integral), opts));
  PN_CATCH(nullptr)
}

PN_API pn_tensor pn_empty(const int64_t* shape, int ndim, int dtype, int device_type, int device_index) {
  PN_TRY
  return pn::wrap(at::empty(pn::ints(shape, ndim), options(dtype, device_type, device_index)));
  PN_CATCH(nullptr)
}

PN_API pn_tensor pn_arange(double start, double end, double step, int dtype, int device_type, int device_index) {
  PN_TRY
  return pn::wrap(at::arange(start, end, step, options(dtype, device_type, device_index)));
  PN_CATCH(nullptr)
}

// kind: 0 = standard normal, 1 = uniform [0, 1).
PN_API pn_tensor pn_random(int kind, const int64_t* shape, int ndim, int dtype, int device_type, int device_index) {
  PN_TRY
  auto opts = options(dtype, device_type, device_index);
  return pn::wrap(kind == 0 ? at::randn(pn::ints(shape, ndim), opts) : at::rand(pn::ints(shape, ndim), opts));
  PN_CATCH(nullptr)
}

PN_API pn_tensor pn_randint(int64_t low, int64_t high, const int64_t* shape, int ndim, int device_type,
                            int device_index) {
  PN_TRY
  return pn::wrap(at::randint(low, high, pn::ints(shape, ndim), options(4 /*int64*/, device_type, device_index)));
  PN_CATCH(nullptr)
}

PN_API pn_tensor pn_randperm(int64_t n, int device_type, int device_index) {
  PN_TRY
  return pn::wrap(at::randperm(n, options(4, device_type, device_index)));
  PN_CATCH(nullptr)
}

// ---- inspection ---------------------------------------------------------------------------------

PN_API int pn_dim(pn_tensor t) { return static_cast<int>(t->dim()); }
PN_API int64_t pn_numel(pn_tensor t) { return t->numel(); }
PN_API int pn_dtype(pn_tensor t) { return static_cast<int>(t->scalar_type()); }
PN_API int pn_requires_grad(pn_tensor t) { return t->requires_grad() ? 1 : 0; }
PN_API int pn_is_contiguous(pn_tensor t) { return t->is_contiguous() ? 1 : 0; }
PN_API int pn_is_leaf(pn_tensor t) { return t->is_leaf() ? 1 : 0; }

PN_API void pn_shape(pn_tensor t, int64_t* out) {
  auto sizes = t->sizes();
  std::copy(sizes.begin(), sizes.end(), out);
}

PN_API void pn_device(pn_tensor t, int* type, int* index) {
  auto d = t->device();
  *type = d.is_cuda() ? 1 : 0;
  *index = d.has_index() ? d.index() : 0;
}

// Copies the elements, in row-major order, to host memory `dst` of `nbytes` bytes.
PN_API int pn_copy_to_host(pn_tensor t, void* dst, int64_t nbytes) {
  PN_TRY
  auto cpu = t->detach().to(at::kCPU).contiguous();
  int64_t need = cpu.numel() * static_cast<int64_t>(cpu.element_size());
  TORCH_CHECK(need == nbytes, "destination holds ", nbytes, " bytes but the tensor has ", need);
  if (need > 0) std::memcpy(dst, cpu.data_ptr(), need);
  return 0;
  PN_CATCH(-1)
}

PN_API int pn_item(pn_tensor t, double* out) {
  PN_TRY
  *out = t->item().toDouble();
  return 0;
  PN_CATCH(-1)
}

PN_API int pn_item_long(pn_tensor t, int64_t* out) {
  PN_TRY
  *out = t->item().toLong();
  return 0;
  PN_CATCH(-1)
}

// ---- conversion ---------------------------------------------------------------------------------

PN_API pn_tensor pn_to(pn_tensor t, int dtype, int device_type, int device_index, int copy) {
  PN_TRY
  return pn::wrap(t->to(pn::device(device_type, device_index), pn::dtype(dtype), /*non_blocking=*/false, copy != 0));
  PN_CATCH(nullptr)
}

PN_API pn_tensor pn_contiguous(pn_tensor t) {
  PN_TRY
  return pn::wrap(t->contiguous());
  PN_CATCH(nullptr)
}

PN_API pn_tensor pn_clone(pn_tensor t) {
  PN_TRY
  return pn::wrap(t->clone());
  PN_CATCH(nullptr)
}

PN_API pn_tensor pn_detach(pn_tensor t) {
  PN_TRY
  return pn::wrap(t->detach());
  PN_CATCH(nullptr)
}

// A second handle on the same tensor (same storage, same autograd identity).
PN_API pn_tensor pn_alias(pn_tensor t) {
  PN_TRY
  return pn::wrap(*t);
  PN_CATCH(nullptr)
}

PN_API int pn_copy_(pn_tensor dst, pn_tensor src) {
  PN_TRY
  dst->copy_(*src);
  return 0;
  PN_CATCH(-1)
}

// ---- autograd -----------------------------------------------------------------------------------

PN_API int pn_set_requires_grad(pn_tensor t, int requires) {
  PN_TRY
  t->requires_grad_(requires != 0);
  return 0;
  PN_CATCH(-1)
}

PN_API int pn_backward(pn_tensor t, pn_tensor grad, int retain_graph) {
  PN_TRY
  torch::autograd::variable_list grads;
  if (grad) grads.push_back(*grad);
  torch::autograd::backward({*t}, grads, retain_graph ? c10::optional<bool>(true) : c10::nullopt);
  return 0;
  PN_CATCH(-1)
}

// The accumulated gradient, or nullptr with no error set when there is none.
PN_API pn_tensor pn_grad(pn_tensor t) {
  PN_TRY
  const auto& g = t->grad();
  return g.defined() ? pn::wrap(g) : nullptr;
  PN_CATCH(nullptr)
}

// Sets the gradient; grad == nullptr clears it (PyTorch's set_to_none).
PN_API int pn_set_grad(pn_tensor t, pn_tensor grad) {
  PN_TRY
  t->mutable_grad() = grad ? *grad : at::Tensor();
  return 0;
  PN_CATCH(-1)
}

// torch.autograd.grad: gradients of `outputs` with respect to `inputs`, returned through `results`
// (nullptr where an input is unused and allow_unused is set), without touching any .grad field.
PN_API int pn_autograd_grad(pn_tensor* outputs, int n_outputs, pn_tensor* grad_outputs, pn_tensor* inputs, int n_inputs,
                            int retain_graph, int create_graph, int allow_unused, pn_tensor* results) {
  PN_TRY
  torch::autograd::variable_list outs, grads, ins;
  for (int i = 0; i < n_outputs; ++i) {
    outs.push_back(*outputs[i]);
    grads.push_back(grad_outputs && grad_outputs[i] ? *grad_outputs[i] : at::Tensor());
  }
  for (int i = 0; i < n_inputs; ++i) ins.push_back(*inputs[i]);
  auto result = torch::autograd::grad(outs, ins, grads, retain_graph ? c10::optional<bool>(true) : c10::nullopt,
                                      create_graph != 0, allow_unused != 0);
  for (int i = 0; i < n_inputs; ++i) results[i] = result[i].defined() ? pn::wrap(result[i]) : nullptr;
  return 0;
  PN_CATCH(-1)
}
