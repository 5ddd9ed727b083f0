// Element-wise math, views, indexing and reductions.
//
// Element-wise operations are selected by a small op code rather than one export each: the managed
// side keeps the codes in UnaryOp / BinaryOp, and a switch costs nothing next to a kernel launch.
#include "pntorch.h"

namespace {

enum UnaryOp {
  kNeg, kExp, kLog, kSqrt, kRsqrt, kCos, kSin, kAcos, kAbs, kRelu, kSigmoid, kTanh, kSign, kSquare, kFloor,
  kLogicalNot, kReciprocal, kCeil, kRound
};

at::Tensor unary(const at::Tensor& x, int op) {
  switch (op) {
    case kNeg: return at::neg(x);
    case kExp: return at::exp(x);
    case kLog: return at::log(x);
    case kSqrt: return at::sqrt(x);
    case kRsqrt: return at::rsqrt(x);
    case kCos: return at::cos(x);
    case kSin: return at::sin(x);
    case kAcos: return at::acos(x);
    case kAbs: return at::abs(x);
    case kRelu: return at::relu(x);
    case kSigmoid: return at::sigmoid(x);
    case kTanh: return at::tanh(x);
    case kSign: return at::sign(x);
    case kSquare: return at::square(x);
    case kFloor: return at::floor(x);
    case kLogicalNot: return at::logical_not(x);
    case kReciprocal: return at::reciprocal(x);
    case kCeil: return at::ceil(x);
    case kRound: return at::round(x);
  }
  TORCH_CHECK(false, "unknown unary op code ", op);
}

enum BinaryOp {
  kAdd, kSub, kMul, kDiv, kPow, kMaximum, kMinimum, kEq, kNe, kLt, kLe, kGt, kGe, kLogicalAnd, kLogicalOr,
  kRemainder, kAtan2
};

template <typename Other>
at::Tensor binary(const at::Tensor& a, const Other& b, int op) {
  switch (op) {
    case kAdd: return at::add(a, b);
    case kSub: return at::sub(a, b);
    case kMul: return at::mul(a, b);
    case kDiv: return at::div(a, b);
    case kPow: return at::pow(a, b);
    case kEq: return at::eq(a, b);
    case kNe: return at::ne(a, b);
    case kLt: return at::lt(a, b);
    case kLe: return at::le(a, b);
    case kGt: return at::gt(a, b);
    case kGe: return at::ge(a, b);
    case kRemainder: return at::remainder(a, b);
  }
  TORCH_CHECK(false, "binary op code ", op, " has no form for this operand");
}

at::Tensor binary_tensor(const at::Tensor& a, const at::Tensor& b, int op) {
  switch (op) {
    case kMaximum: return at::maximum(a, b);
    case kMinimum: return at::minimum(a, b);
    case kLogicalAnd: return at::logical_and(a, b);
    case kLogicalOr: return at::logical_or(a, b);
    case kAtan2: return at::atan2(a, b);
    default: return binary(a, b, op);
  }
}

template <typename Other>
void binary_inplace(at::Tensor& a, const Other& b, int op) {
  switch (op) {
    case kAdd: a.add_(b); return;
    case kSub: a.sub_(b); return;
    case kMul: a.mul_(b); return;
    case kDiv: a.div_(b); return;
    case kPow: a.pow_(b); return;
  }
  TORCH_CHECK(false, "binary op code ", op, " has no in-place form");
}

enum ReduceOp { kSum, kMean, kAmax, kAmin, kProd, kNorm2, kVar, kStd };

at::Tensor reduce(const at::Tensor& x, int op, at::IntArrayRef dims, bool keepdim) {
  bool all = dims.empty();
  switch (op) {
    case kSum: return all && !keepdim ? at::sum(x) : at::sum(x, dims, keepdim);
    case kMean: return all && !keepdim ? at::mean(x) : at::mean(x, dims, keepdim);
    case kAmax: return at::amax(x, dims, keepdim);
    case kAmin: return at::amin(x, dims, keepdim);
    case kProd: TORCH_CHECK(dims.size() <= 1, "prod reduces over one dimension or all");
      return all ? at::prod(x) : at::prod(x, dims[0], keepdim);
    case kNorm2: return at::linalg_vector_norm(x, 2, all ? at::OptionalIntArrayRef() : dims, keepdim);
    case kVar: return at::var(x, all ? at::OptionalIntArrayRef() : dims, /*unbiased=*/true, keepdim);
    case kStd: return at::std(x, all ? at::OptionalIntArrayRef() : dims, /*unbiased=*/true, keepdim);
  }
  TORCH_CHECK(false, "unknown reduce op code ", op);
}

}  // namespace

// ---- element-wise -------------------------------------------------------------------------------

PN_API pn_tensor pn_unary(pn_tensor x, int op) {
  PN_TRY
  return pn::wrap(unary(*x, op));
  PN_CATCH(nullptr)
}

PN_API pn_tensor pn_binary(pn_tensor a, pn_tensor b, int op) {
  PN_TRY
  return pn::wrap(binary_tensor(*a, *b, op));
  PN_CATCH(nullptr)
}

PN_API pn_tensor pn_binary_scalar(pn_tensor a, double b, int b_integral, int op) {
  PN_TRY
  return pn::wrap(binary(*a, pn::scalar(b, b_integral), op));
  PN_CATCH(nullptr)
}

// Scalar on the left: b - a, b / a, b ^ a.
PN_API pn_tensor pn_scalar_binary(double a, int a_integral, pn_tensor b, int op) {
  PN_TRY
  auto s = pn::scalar(a, a_integral);
  switch (op) {
    case kSub: return pn::wrap(at::rsub(*b, s));
    case kDiv: return pn::wrap(at::mul(at::reciprocal(*b), s));
    case kPow: return pn::wrap(at::pow(s, *b));
  }
  TORCH_CHECK(false, "op code ", op, " has no scalar-first form");
  PN_CATCH(nullptr)
}

PN_API int pn_binary_(pn_tensor a, pn_tensor b, int op) {
  PN_TRY
  binary_inplace(*a, *b, op);
  return 0;
  PN_CATCH(-1)
}

PN_API int pn_binary_scalar_(pn_tensor a, double b, int b_integral, int op) {
  PN_TRY
  binary_inplace(*a, pn::scalar(b, b_integral), op);
  return 0;
  PN_CATCH(-1)
}

// a += alpha * b
PN_API int pn_add_scaled_(pn_tensor a, pn_tensor b, double alpha) {
  PN_TRY
  a->add_(*b, alpha);
  return 0;
  PN_CATCH(-1)
}

// a += value * b * c
PN_API int pn_addcmul_(pn_tensor a, pn_tensor b, pn_tensor c, double value) {
  PN_TRY
  a->addcmul_(*b, *c, value);
  return 0;
  PN_CATCH(-1)
}

// a += value * b / c
PN_API int pn_addcdiv_(pn_tensor a, pn_tensor b, pn_tensor c, double value) {
  PN_TRY
  a->addcdiv_(*b, *c, value);
  return 0;
  PN_CATCH(-1)
}

// a = a + weight * (b - a)
PN_API int pn_lerp_(pn_tensor a, pn_tensor b, double weight) {
  PN_TRY
  a->lerp_(*b, weight);
  return 0;
  PN_CATCH(-1)
}

PN_API pn_tensor pn_clamp(pn_tensor x, double min, int has_min, double max, int has_max) {
  PN_TRY
  return pn::wrap(at::clamp(*x, has_min ? c10::optional<at::Scalar>(min) : c10::nullopt,
                            has_max ? c10::optional<at::Scalar>(max) : c10::nullopt));
  PN_CATCH(nullptr)
}

PN_API pn_tensor pn_where(pn_tensor condition, pn_tensor a, pn_tensor b) {
  PN_TRY
  return pn::wrap(at::where(*condition, *a, *b));
  PN_CATCH(nullptr)
}

PN_API int pn_fill_(pn_tensor t, double value) {
  PN_TRY
  t->fill_(pn::scalar(value, at::isIntegralType(t->scalar_type(), true)));
  return 0;
  PN_CATCH(-1)
}

// kind: 0 = normal(a = mean, b = std), 1 = uniform(a = low, b = high).
PN_API int pn_random_(pn_tensor t, int kind, double a, double b) {
  PN_TRY
  if (kind == 0) t->normal_(a, b);
  else t->uniform_(a, b);
  return 0;
  PN_CATCH(-1)
}

// ---- views and shape ----------------------------------------------------------------------------

PN_API pn_tensor pn_reshape(pn_tensor x, const int64_t* shape, int n) {
  PN_TRY
  return pn::wrap(x->reshape(pn::ints(shape, n)));
  PN_CATCH(nullptr)
}

PN_API pn_tensor pn_view(pn_tensor x, const int64_t* shape, int n) {
  PN_TRY
  return pn::wrap(x->view(pn::ints(shape, n)));
  PN_CATCH(nullptr)
}

PN_API pn_tensor pn_flatten(pn_tensor x, int64_t start, int64_t end) {
  PN_TRY
  return pn::wrap(x->flatten(start, end));
  PN_CATCH(nullptr)
}

PN_API pn_tensor pn_permute(pn_tensor x, const int64_t* dims, int n) {
  PN_TRY
  return pn::wrap(x->permute(pn::ints(dims, n)));
  PN_CATCH(nullptr)
}

PN_API pn_tensor pn_transpose(pn_tensor x, int64_t a, int64_t b) {
  PN_TRY
  return pn::wrap(x->transpose(a, b));
  PN_CATCH(nullptr)
}

PN_API pn_tensor pn_slice(pn_tensor x, int64_t dim, int64_t start, int64_t end, int64_t step) {
  PN_TRY
  return pn::wrap(x->slice(dim, start, end, step));
  PN_CATCH(nullptr)
}

PN_API pn_tensor pn_narrow(pn_tensor x, int64_t dim, int64_t start, int64_t length) {
  PN_TRY
  return pn::wrap(x->narrow(dim, start, length));
  PN_CATCH(nullptr)
}

PN_API pn_tensor pn_select(pn_tensor x, int64_t dim, int64_t index) {
  PN_TRY
  return pn::wrap(x->select(dim, index));
  PN_CATCH(nullptr)
}

PN_API pn_tensor pn_unsqueeze(pn_tensor x, int64_t dim) {
  PN_TRY
  return pn::wrap(x->unsqueeze(dim));
  PN_CATCH(nullptr)
}

PN_API pn_tensor pn_squeeze(pn_tensor x, int64_t dim, int all) {
  PN_TRY
  return pn::wrap(all ? x->squeeze() : x->squeeze(dim));
  PN_CATCH(nullptr)
}

PN_API pn_tensor pn_expand(pn_tensor x, const int64_t* shape, int n) {
  PN_TRY
  return pn::wrap(x->expand(pn::ints(shape, n)));
  PN_CATCH(nullptr)
}

PN_API pn_tensor pn_flip(pn_tensor x, const int64_t* dims, int n) {
  PN_TRY
  return pn::wrap(x->flip(pn::ints(dims, n)));
  PN_CATCH(nullptr)
}

// Pads the last n/2 dimensions with a constant (torch.nn.functional.pad's constant mode): pads holds
// (before, after) pairs, last dimension first; negative amounts crop.
PN_API pn_tensor pn_constant_pad(pn_tensor x, const int64_t* pads, int n, double value) {
  PN_TRY
  return pn::wrap(at::constant_pad_nd(*x, pn::ints(pads, n), value));
  PN_CATCH(nullptr)
}

// A view on x's storage with explicit sizes, strides and storage offset (torch.as_strided); libtorch
// checks that the view stays inside the storage. Checkpoint import rebuilds saved tensors with it.
PN_API pn_tensor pn_as_strided(pn_tensor x, const int64_t* size, const int64_t* stride, int n, int64_t offset) {
  PN_TRY
  return pn::wrap(at::as_strided(*x, pn::ints(size, n), pn::ints(stride, n), offset));
  PN_CATCH(nullptr)
}

PN_API pn_tensor pn_cat(pn_tensor* tensors, int n, int64_t dim, int stack) {
  PN_TRY
  std::vector<at::Tensor> list;
  list.reserve(n);
  for (int i = 0; i < n; ++i) list.push_back(*tensors[i]);
  return pn::wrap(stack ? at::stack(list, dim) : at::cat(list, dim));
  PN_CATCH(nullptr)
}

// ---- indexing -----------------------------------------------------------------------------------

PN_API pn_tensor pn_index_select(pn_tensor x, int64_t dim, pn_tensor index) {
  PN_TRY
  return pn::wrap(at::index_select(*x, dim, *index));
  PN_CATCH(nullptr)
}

PN_API pn_tensor pn_masked_select(pn_tensor x, pn_tensor mask) {
  PN_TRY
  return pn::wrap(at::masked_select(*x, *mask));
  PN_CATCH(nullptr)
}

PN_API pn_tensor pn_gather(pn_tensor x, int64_t dim, pn_tensor index) {
  PN_TRY
  return pn::wrap(at::gather(*x, dim, *index));
  PN_CATCH(nullptr)
}

// Out-of-place scatter: a copy of x with src (or the scalar value when src is null) written at index.
PN_API pn_tensor pn_scatter(pn_tensor x, int64_t dim, pn_tensor index, pn_tensor src, double value) {
  PN_TRY
  return pn::wrap(src ? at::scatter(*x, dim, *index, *src) : at::scatter(*x, dim, *index, at::Scalar(value)));
  PN_CATCH(nullptr)
}

PN_API pn_tensor pn_one_hot(pn_tensor labels, int64_t num_classes) {
  PN_TRY
  return pn::wrap(at::one_hot(*labels, num_classes));
  PN_CATCH(nullptr)
}

// ---- reductions ---------------------------------------------------------------------------------

PN_API pn_tensor pn_reduce(pn_tensor x, int op, const int64_t* dims, int n, int keepdim) {
  PN_TRY
  return pn::wrap(reduce(*x, op, pn::ints(dims, n), keepdim != 0));
  PN_CATCH(nullptr)
}

// kind: 0 = max, 1 = min, along dim, with indices.
PN_API int pn_extreme_dim(pn_tensor x, int kind, int64_t dim, int keepdim, pn_tensor* values, pn_tensor* indices) {
  PN_TRY
  auto result = kind == 0 ? at::max(*x, dim, keepdim != 0) : at::min(*x, dim, keepdim != 0);
  *values = pn::wrap(std::get<0>(result));
  *indices = pn::wrap(std::get<1>(result));
  return 0;
  PN_CATCH(-1)
}

// kind: 0 = argmax, 1 = argmin; has_dim == 0 flattens.
PN_API pn_tensor pn_arg_extreme(pn_tensor x, int kind, int64_t dim, int has_dim, int keepdim) {
  PN_TRY
  auto d = has_dim ? c10::optional<int64_t>(dim) : c10::nullopt;
  return pn::wrap(kind == 0 ? at::argmax(*x, d, keepdim != 0) : at::argmin(*x, d, keepdim != 0));
  PN_CATCH(nullptr)
}

PN_API int pn_topk(pn_tensor x, int64_t k, int64_t dim, int largest, int sorted, pn_tensor* values,
                   pn_tensor* indices) {
  PN_TRY
  auto result = at::topk(*x, k, dim, largest != 0, sorted != 0);
  *values = pn::wrap(std::get<0>(result));
  *indices = pn::wrap(std::get<1>(result));
  return 0;
  PN_CATCH(-1)
}

PN_API int pn_sort(pn_tensor x, int64_t dim, int descending, pn_tensor* values, pn_tensor* indices) {
  PN_TRY
  auto result = at::sort(*x, dim, descending != 0);
  *values = pn::wrap(std::get<0>(result));
  *indices = pn::wrap(std::get<1>(result));
  return 0;
  PN_CATCH(-1)
}

PN_API pn_tensor pn_cumsum(pn_tensor x, int64_t dim) {
  PN_TRY
  return pn::wrap(at::cumsum(*x, dim));
  PN_CATCH(nullptr)
}

PN_API int pn_all_close(pn_tensor a, pn_tensor b, double rtol, double atol) {
  PN_TRY
  return at::allclose(*a, *b, rtol, atol) ? 1 : 0;
  PN_CATCH(-1)
}

// ---- linear algebra -----------------------------------------------------------------------------

PN_API pn_tensor pn_matmul(pn_tensor a, pn_tensor b) {
  PN_TRY
  return pn::wrap(at::matmul(*a, *b));
  PN_CATCH(nullptr)
}

PN_API pn_tensor pn_linear(pn_tensor x, pn_tensor weight, pn_tensor bias) {
  PN_TRY
  return pn::wrap(at::linear(*x, *weight, pn::optional(bias)));
  PN_CATCH(nullptr)
}
