// Swish-family activations (MixFaceNets and the compact zoo of issue 13). Each is one libtorch kernel, so
// autograd stores only the input, instead of the input, sigmoid and product a composed x * sigmoid(x) keeps.
#include "pntorch.h"

// x * sigmoid(x) (Swish with beta 1, PyTorch's SiLU).
PN_API pn_tensor pn_silu(pn_tensor x) {
  PN_TRY
  return pn::wrap(at::silu(*x));
  PN_CATCH(nullptr)
}

// x * relu6(x + 3) / 6 (MobileNetV3's hard swish).
PN_API pn_tensor pn_hardswish(pn_tensor x) {
  PN_TRY
  return pn::wrap(at::hardswish(*x));
  PN_CATCH(nullptr)
}
