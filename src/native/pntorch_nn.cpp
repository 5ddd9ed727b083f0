// Neural-network kernels (convolution, normalisation, activation, pooling, losses) and the
// optimiser helpers that touch many tensors at once.
#include "pntorch.h"

#include <cmath>

PN_API pn_tensor pn_conv2d(pn_tensor x, pn_tensor weight, pn_tensor bias, const int64_t* stride,
                           const int64_t* padding, const int64_t* dilation, int64_t groups) {
  PN_TRY
  return pn::wrap(at::conv2d(*x, *weight, pn::optional(bias), pn::ints(stride, 2), pn::ints(padding, 2),
                             pn::ints(dilation, 2), groups));
  PN_CATCH(nullptr)
}

// Batch normalisation over dim 1. In training, running statistics (when given) are updated in place
// with `momentum`, exactly as torch.nn.functional.batch_norm does.
PN_API pn_tensor pn_batch_norm(pn_tensor x, pn_tensor weight, pn_tensor bias, pn_tensor running_mean,
                               pn_tensor running_var, int training, double momentum, double eps) {
  PN_TRY
  return pn::wrap(at::batch_norm(*x, pn::optional(weight), pn::optional(bias), pn::optional(running_mean),
                                 pn::optional(running_var), training != 0, momentum, eps,
                                 /*cudnn_enabled=*/true));
  PN_CATCH(nullptr)
}

PN_API pn_tensor pn_prelu(pn_tensor x, pn_tensor weight) {
  PN_TRY
  return pn::wrap(at::prelu(*x, *weight));
  PN_CATCH(nullptr)
}

PN_API pn_tensor pn_max_pool2d(pn_tensor x, const int64_t* kernel, const int64_t* stride, const int64_t* padding,
                               const int64_t* dilation, int ceil_mode) {
  PN_TRY
  return pn::wrap(at::max_pool2d(*x, pn::ints(kernel, 2), pn::ints(stride, 2), pn::ints(padding, 2),
                                 pn::ints(dilation, 2), ceil_mode != 0));
  PN_CATCH(nullptr)
}

PN_API pn_tensor pn_avg_pool2d(pn_tensor x, const int64_t* kernel, const int64_t* stride, const int64_t* padding,
                               int ceil_mode, int count_include_pad) {
  PN_TRY
  return pn::wrap(at::avg_pool2d(*x, pn::ints(kernel, 2), pn::ints(stride, 2), pn::ints(padding, 2),
                                 ceil_mode != 0, count_include_pad != 0));
  PN_CATCH(nullptr)
}

PN_API pn_tensor pn_adaptive_avg_pool2d(pn_tensor x, const int64_t* output_size) {
  PN_TRY
  return pn::wrap(at::adaptive_avg_pool2d(*x, pn::ints(output_size, 2)));
  PN_CATCH(nullptr)
}

PN_API pn_tensor pn_dropout(pn_tensor x, double p, int training) {
  PN_TRY
  return pn::wrap(at::dropout(*x, p, training != 0));
  PN_CATCH(nullptr)
}

// kind: 0 = softmax, 1 = log-softmax.
PN_API pn_tensor pn_softmax(pn_tensor x, int64_t dim, int kind) {
  PN_TRY
  return pn::wrap(kind == 0 ? at::softmax(*x, dim) : at::log_softmax(*x, dim));
  PN_CATCH(nullptr)
}

// reduction: 0 = none, 1 = mean, 2 = sum (at::Reduction's codes).
PN_API pn_tensor pn_cross_entropy(pn_tensor logits, pn_tensor target, pn_tensor weight, int reduction,
                                  int64_t ignore_index, double label_smoothing) {
  PN_TRY
  return pn::wrap(at::cross_entropy_loss(*logits, *target, pn::optional(weight), reduction, ignore_index,
                                         label_smoothing));
  PN_CATCH(nullptr)
}

PN_API pn_tensor pn_nll_loss(pn_tensor log_probs, pn_tensor target, int reduction, int64_t ignore_index) {
  PN_TRY
  return pn::wrap(at::nll_loss(*log_probs, *target, {}, reduction, ignore_index));
  PN_CATCH(nullptr)
}

PN_API pn_tensor pn_mse_loss(pn_tensor input, pn_tensor target, int reduction) {
  PN_TRY
  return pn::wrap(at::mse_loss(*input, *target, reduction));
  PN_CATCH(nullptr)
}

// torch.nn.functional.normalize: x / max(||x||_p, eps) along dim.
PN_API pn_tensor pn_normalize(pn_tensor x, double p, int64_t dim, double eps) {
  PN_TRY
  auto norm = at::linalg_vector_norm(*x, p, at::IntArrayRef{dim}, /*keepdim=*/true).clamp_min(eps);
  return pn::wrap(*x / norm.expand_as(*x));
  PN_CATCH(nullptr)
}

// torch.nn.utils.clip_grad_norm_: scales every gradient so that their joint p-norm is at most
// max_norm; returns the norm before clipping through `total`.
PN_API int pn_clip_grad_norm(pn_tensor* params, int n, double max_norm, double norm_type, double* total) {
  PN_TRY
  at::NoGradGuard no_grad;
  std::vector<at::Tensor> grads;
  for (int i = 0; i < n; ++i)
    if (params[i]->grad().defined()) grads.push_back(params[i]->grad());
  if (grads.empty()) {
    *total = 0;
    return 0;
  }
  at::Tensor norm;
  if (std::isinf(norm_type)) {
    std::vector<at::Tensor> maxima;
    for (auto& g : grads) maxima.push_back(g.abs().max());
    norm = at::stack(maxima).max();
  } else {
    std::vector<at::Tensor> norms;
    for (auto& g : grads) norms.push_back(at::linalg_vector_norm(g, norm_type));
    norm = at::linalg_vector_norm(at::stack(norms), norm_type);
  }
  auto coefficient = (max_norm / (norm + 1e-6)).clamp_max(1.0);
  for (auto& g : grads) g.mul_(coefficient.to(g.device()));
  *total = norm.item<double>();
  return 0;
  PN_CATCH(-1)
}

// ---- EdgeFace: layer normalisation and GELU (transformer-style blocks) ---------------------------

// torch.nn.functional.layer_norm over the last `n` dimensions (normalized_shape); weight and bias optional.
PN_API pn_tensor pn_layer_norm(pn_tensor x, const int64_t* normalized_shape, int n, pn_tensor weight, pn_tensor bias,
                               double eps) {
  PN_TRY
  return pn::wrap(at::layer_norm(*x, pn::ints(normalized_shape, n), pn::optional(weight), pn::optional(bias), eps,
                                 /*cudnn_enable=*/true));
  PN_CATCH(nullptr)
}

// torch.nn.functional.gelu; tanh_approximation selects approximate='tanh', else the exact erf form.
PN_API pn_tensor pn_gelu(pn_tensor x, int tanh_approximation) {
  PN_TRY
  return pn::wrap(at::gelu(*x, tanh_approximation ? "tanh" : "none"));
  PN_CATCH(nullptr)
}
