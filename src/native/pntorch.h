// Shared plumbing of the C ABI: handle wrapping, error capture, enum decoding.
//
// Conventions every exported function follows:
//  * a tensor crosses the boundary as an opaque pointer to a heap-allocated at::Tensor (one reference);
//    the caller owns it and releases it with pn_free;
//  * a function that returns a tensor returns nullptr on failure, one that returns int returns -1;
//    the failure's message is then read with pn_last_error (thread-local, so threads never mix errors);
//  * nothing throws across the boundary: every body runs inside PN_TRY.
#pragma once

#include <ATen/ATen.h>
#include <cstdint>
#include <string>

#define PN_API extern "C" __attribute__((visibility("default")))

typedef at::Tensor* pn_tensor;

namespace pn {

void set_error(const char* message);
void clear_error();

inline pn_tensor wrap(at::Tensor t) { return new at::Tensor(std::move(t)); }

// Element types, numbered as the managed ScalarType enum numbers them (PyTorch's own codes).
inline at::ScalarType dtype(int code) { return static_cast<at::ScalarType>(code); }

// Device types as the managed DeviceType enum numbers them: 0 = CPU, 1 = CUDA (PyTorch's codes).
inline at::Device device(int type, int index) {
  return type == 1 ? at::Device(at::kCUDA, static_cast<c10::DeviceIndex>(index)) : at::Device(at::kCPU);
}

inline at::Scalar scalar(double value, int is_integral) {
  return is_integral ? at::Scalar(static_cast<int64_t>(value)) : at::Scalar(value);
}

inline at::IntArrayRef ints(const int64_t* values, int count) { return at::IntArrayRef(values, static_cast<size_t>(count)); }

inline c10::optional<at::Tensor> optional(pn_tensor t) {
  return t ? c10::optional<at::Tensor>(*t) : c10::nullopt;
}

inline at::Tensor or_undefined(pn_tensor t) { return t ? *t : at::Tensor(); }

}  // namespace pn

#define PN_TRY try {
#define PN_CATCH(failure)                                   \
  }                                                         \
  catch (const c10::Error& e) {                             \
    pn::set_error(e.what_without_backtrace());              \
  }                                                         \
  catch (const std::exception& e) {                         \
    pn::set_error(e.what());                                \
  }                                                         \
  catch (...) {                                             \
    pn::set_error("unknown native exception");              \
  }                                                         \
  return failure;
