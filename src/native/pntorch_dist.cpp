// Data-parallel training over libtorch's c10d: TCPStore rendezvous, ProcessGroupGloo (ProcessGroupNCCL when
// libtorch has CUDA), the collectives a trainer needs, a gradient reducer fed by autograd hooks, and
// synchronised batch normalisation.
//
// A group is one rank's membership of a job: the store connection, the process group and a heartbeat. Every
// collective waits for its result here and, when it fails, rethrows with the rank, the operation and which
// peers stopped sending heartbeats, so a user reads "rank 0 of 2: all_reduce failed ...; rank 1 stopped
// responding" instead of a bare socket error.
#include "pntorch.h"

#include <torch/csrc/autograd/custom_function.h>
#include <torch/csrc/autograd/function.h>
#include <torch/csrc/autograd/function_hook.h>
#include <torch/csrc/autograd/variable.h>
#include <torch/csrc/distributed/c10d/PrefixStore.hpp>
#include <torch/csrc/distributed/c10d/ProcessGroupGloo.hpp>
#include <torch/csrc/distributed/c10d/TCPStore.hpp>
#include <torch/version.h>
#ifdef PN_WITH_NCCL
#include <torch/csrc/distributed/c10d/ProcessGroupNCCL.hpp>
#endif

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <sstream>
#include <thread>

namespace {

using std::chrono::milliseconds;

// libtorch 1.13 (Debian's) implements Gloo and NCCL as ProcessGroups; from 2.0 on they are Backends behind a
// ProcessGroup with the same collective signatures. The group holds whichever the build's libtorch has.
#if TORCH_VERSION_MAJOR >= 2
using CollectiveBackend = c10d::Backend;
#else
using CollectiveBackend = c10d::ProcessGroup;
#endif

// Every heartbeat_interval each rank bumps its counter in the store; a peer whose counter has not moved over a
// few intervals is named when a collective fails.
constexpr milliseconds heartbeat_interval{500};

}  // namespace

struct pn_group {
  int rank = 0;
  int size = 1;
  milliseconds timeout{0};
  std::string backend;
  c10::intrusive_ptr<c10d::Store> store;
  c10::intrusive_ptr<CollectiveBackend> pg;

  // A second store connection of our own for the heartbeat thread: TCPStore clients are not shared across threads.
  c10::intrusive_ptr<c10d::TCPStore> heartbeat_store;
  std::thread heartbeat;
  std::mutex heartbeat_lock;
  std::condition_variable heartbeat_stop_signal;
  bool heartbeat_stop = false;

  ~pn_group() {
    {
      std::lock_guard<std::mutex> guard(heartbeat_lock);
      heartbeat_stop = true;
    }
    heartbeat_stop_signal.notify_all();
    if (heartbeat.joinable()) heartbeat.join();
  }

  static std::string heartbeat_key(int r) { return "pn/heartbeat/" + std::to_string(r); }

  void beat() {
    std::unique_lock<std::mutex> guard(heartbeat_lock);
    while (!heartbeat_stop) {
      guard.unlock();
      try {
        heartbeat_store->add(heartbeat_key(rank), 1);
      } catch (...) {
        return;  // the store (rank 0) is gone; failures of collectives report it
      }
      guard.lock();
      heartbeat_stop_signal.wait_for(guard, heartbeat_interval);
    }
  }

  // Which peers stopped beating: read every counter, wait a few intervals, read again.
  std::string silent_peers() {
    try {
      c10d::TCPStoreOptions opts;
      opts.port = heartbeat_store->getPort();
      opts.timeout = milliseconds(5000);
      c10d::TCPStore probe(heartbeat_store->getHost(), opts);
      std::vector<int64_t> before(size), after(size);
      for (int r = 0; r < size; ++r) before[r] = probe.add(heartbeat_key(r), 0);
      std::this_thread::sleep_for(heartbeat_interval * 4);
      for (int r = 0; r < size; ++r) after[r] = probe.add(heartbeat_key(r), 0);
      std::ostringstream silent;
      for (int r = 0; r < size; ++r)
        if (r != rank && after[r] == before[r]) silent << (silent.tellp() > 0 ? ", " : "") << "rank " << r;
      return silent.tellp() > 0 ? silent.str() + " stopped responding" : "every peer still sends heartbeats (a peer is stuck, not dead)";
    } catch (...) {
      return rank == 0 ? "the rendezvous store is unreachable"
                       : "rank 0 stopped responding (the rendezvous store it hosts is unreachable)";
    }
  }

  // Waits for a collective; a failure is rethrown naming this rank, the operation and the silent peers.
  void wait(const c10::intrusive_ptr<c10d::Work>& work, const char* operation) {
    try {
      work->wait(timeout);
    } catch (const std::exception& e) {
      std::string what = e.what();
      if (auto* ce = dynamic_cast<const c10::Error*>(&e)) what = ce->what_without_backtrace();
      std::ostringstream message;
      message << "rank " << rank << " of " << size << ": " << operation << " failed (" << backend
              << ", timeout " << timeout.count() / 1000.0 << " s): " << what << "; " << silent_peers();
      throw std::runtime_error(message.str());
    }
  }
};

typedef pn_group* pn_group_t;

namespace {

std::vector<at::Tensor> tensors(pn_tensor* ts, int n) {
  std::vector<at::Tensor> out;
  out.reserve(n);
  for (int i = 0; i < n; ++i) out.push_back(*ts[i]);
  return out;
}

// Sums (op 0) or averages (op 1) in place. Gloo has no average: sum, then divide.
void all_reduce(pn_group& g, std::vector<at::Tensor>& ts, int op, const char* what = "all_reduce") {
  if (ts.empty()) return;
  c10d::AllreduceOptions opts;
  opts.reduceOp = op == 2 ? c10d::ReduceOp::MAX : op == 3 ? c10d::ReduceOp::MIN : c10d::ReduceOp::SUM;
  opts.timeout = g.timeout;
  g.wait(g.pg->allreduce(ts, opts), what);
  if (op == 1)
    for (auto& t : ts) t.div_(g.size);
}

}  // namespace

// ---- group --------------------------------------------------------------------------------------

// Joins a job: rank 0 hosts the TCPStore on master_port, every rank connects to it, then the process group forms.
// backend: "gloo" or "nccl". Returns nullptr (with the error set) when the rendezvous fails or times out.
PN_API pn_group_t pn_dist_init(const char* backend, const char* master_addr, int master_port, int rank, int world_size,
                               int timeout_ms) {
  PN_TRY
  TORCH_CHECK(world_size >= 1, "world size must be at least 1, not ", world_size);
  TORCH_CHECK(rank >= 0 && rank < world_size, "rank ", rank, " is outside 0..", world_size - 1);
  TORCH_CHECK(master_port > 0 && master_port < 65536, "master port ", master_port, " is not a TCP port");
  auto group = std::make_unique<pn_group>();
  group->rank = rank;
  group->size = world_size;
  group->timeout = milliseconds(timeout_ms);
  group->backend = backend;

  c10d::TCPStoreOptions opts;
  opts.port = static_cast<uint16_t>(master_port);
  opts.isServer = rank == 0;
  opts.numWorkers = world_size;
  opts.waitWorkers = true;
  opts.timeout = group->timeout;
  auto tcp = c10::make_intrusive<c10d::TCPStore>(master_addr, opts);
  group->store = tcp;

  c10d::TCPStoreOptions client;
  client.port = tcp->getPort();
  client.timeout = group->timeout;
  group->heartbeat_store = c10::make_intrusive<c10d::TCPStore>(master_addr, client);
  group->heartbeat = std::thread([g = group.get()] { g->beat(); });

  auto prefixed = c10::make_intrusive<c10d::PrefixStore>(std::string("pn/") + backend, group->store);
  if (group->backend == "gloo") {
    auto options = c10d::ProcessGroupGloo::Options::create(group->timeout);
    // The loopback interface when the master is local: a single-host job then never depends on DNS.
    std::string host = master_addr;
    options->devices.push_back(host == "127.0.0.1" || host == "localhost"
                                   ? c10d::ProcessGroupGloo::createDeviceForHostname("127.0.0.1")
                                   : c10d::ProcessGroupGloo::createDefaultDevice());
    group->pg = c10::make_intrusive<c10d::ProcessGroupGloo>(prefixed, rank, world_size, options);
  } else if (group->backend == "nccl") {
#ifdef PN_WITH_NCCL
    auto options = c10d::ProcessGroupNCCL::Options::create();
    options->timeout = group->timeout;
    group->pg = c10::make_intrusive<c10d::ProcessGroupNCCL>(prefixed, rank, world_size, options);
#else
    TORCH_CHECK(false, "this libpntorch was built against a libtorch without CUDA, so it has no NCCL; use gloo");
#endif
  } else {
    TORCH_CHECK(false, "unknown backend '", backend, "' (gloo or nccl)");
  }
  return group.release();
  PN_CATCH(nullptr)
}

PN_API int pn_dist_has_nccl() {
#ifdef PN_WITH_NCCL
  return 1;
#else
  return 0;
#endif
}

PN_API void pn_dist_free(pn_group_t g) { delete g; }
PN_API int pn_dist_rank(pn_group_t g) { return g->rank; }
PN_API int pn_dist_size(pn_group_t g) { return g->size; }

// ---- collectives --------------------------------------------------------------------------------

// op: 0 = sum, 1 = average, 2 = max, 3 = min; in place on every tensor (each reduced on its own).
PN_API int pn_dist_all_reduce(pn_group_t g, pn_tensor* ts, int n, int op) {
  PN_TRY
  for (int i = 0; i < n; ++i) {
    std::vector<at::Tensor> one{*ts[i]};
    all_reduce(*g, one, op);
  }
  return 0;
  PN_CATCH(-1)
}

// Overwrites every tensor with root's. Tensors of one element type and device travel as one flat buffer: a
// network's hundreds of small batch-norm buffers then cost one collective, not hundreds (each of which waits for
// every rank to be scheduled: on a busy host that latency, not the bytes, is the cost).
PN_API int pn_dist_broadcast(pn_group_t g, pn_tensor* ts, int n, int root) {
  PN_TRY
  TORCH_CHECK(root >= 0 && root < g->size, "broadcast root ", root, " is outside 0..", g->size - 1);
  std::vector<std::vector<at::Tensor>> kinds;
  for (int i = 0; i < n; ++i) {
    const at::Tensor& t = *ts[i];
    auto same = std::find_if(kinds.begin(), kinds.end(), [&](const std::vector<at::Tensor>& k) {
      return k.front().scalar_type() == t.scalar_type() && k.front().device() == t.device();
    });
    if (same == kinds.end())
      kinds.push_back({t});
    else
      same->push_back(t);
  }
  for (auto& kind : kinds) {
    std::vector<at::Tensor> flat_parts;
    for (auto& t : kind) flat_parts.push_back(t.detach().reshape({-1}));
    std::vector<at::Tensor> one{at::cat(flat_parts)};
    c10d::BroadcastOptions opts;
    opts.rootRank = root;
    opts.timeout = g->timeout;
    g->wait(g->pg->broadcast(one, opts), "broadcast");
    at::NoGradGuard no_grad;
    int64_t offset = 0;
    for (auto& t : kind) {
      t.copy_(one[0].narrow(0, offset, t.numel()).view(t.sizes()));
      offset += t.numel();
    }
  }
  return 0;
  PN_CATCH(-1)
}

// Every rank's `input`, stacked in rank order: a new tensor of shape [world, *input.shape].
PN_API pn_tensor pn_dist_all_gather(pn_group_t g, pn_tensor input) {
  PN_TRY
  auto x = input->contiguous();
  std::vector<at::Tensor> parts;
  for (int r = 0; r < g->size; ++r) parts.push_back(at::empty_like(x));
  std::vector<std::vector<at::Tensor>> outputs{parts};
  std::vector<at::Tensor> inputs{x};
  c10d::AllgatherOptions opts;
  opts.timeout = g->timeout;
  g->wait(g->pg->allgather(outputs, inputs, opts), "all_gather");
  return pn::wrap(at::stack(outputs[0]));
  PN_CATCH(nullptr)
}

PN_API int pn_dist_barrier(pn_group_t g) {
  PN_TRY
  c10d::BarrierOptions opts;
  opts.timeout = g->timeout;
  g->wait(g->pg->barrier(opts), "barrier");
  return 0;
  PN_CATCH(-1)
}

// ---- gradient reducer ---------------------------------------------------------------------------
//
// Why the reducer lives here and not in C#: its hooks run inside libtorch's autograd engine (on the engine's
// device threads with CUDA), once per parameter per step. Calling back into managed code from there would cross
// the boundary hundreds of times per backward, could not let an exception travel, and would pin delegates for
// the life of the hooks. In C++ a hook copies the gradient into its bucket and, when the bucket is full, starts
// the bucket's all-reduce asynchronously, so communication overlaps the rest of backward as in PyTorch's DDP; C#
// only arms the reducer before backward and collects the averaged gradients after it.

struct pn_reducer;

namespace {

struct Bucket {
  std::vector<size_t> params;  // indices into pn_reducer::params, in the order they sit in `flat`
  std::vector<int64_t> offsets;
  at::Tensor flat;
  size_t pending = 0;
  c10::intrusive_ptr<c10d::Work> work;
};

struct GradReadyHook : torch::autograd::FunctionPostHook {
  pn_reducer* reducer;
  size_t index;
  GradReadyHook(pn_reducer* r, size_t i) : reducer(r), index(i) {}
  torch::autograd::variable_list operator()(const torch::autograd::variable_list& outputs,
                                            const torch::autograd::variable_list&) override;
};

}  // namespace

struct pn_reducer {
  pn_group* group;
  std::vector<at::Tensor> params;
  std::vector<Bucket> buckets;
  std::vector<size_t> bucket_of;
  std::vector<size_t> slot_of;
  std::vector<bool> ready;
  std::vector<std::shared_ptr<torch::autograd::Node>> accumulators;
  std::vector<uintptr_t> hook_keys;
  std::mutex lock;
  bool armed = false;
  size_t next_launch = 0;
  int64_t bucket_bytes;
  bool rebuilt = false;
  std::vector<size_t> ready_order;  // the first step's order of ready gradients, for the rebuild
  at::Tensor inverse_world_size;    // 1 / W, made once: the copy-in multiplies every gradient by it

  // Buckets are filled from the last parameter to the first: backward produces gradients roughly in that order,
  // so the first bucket fills (and starts communicating) while earlier layers are still being differentiated.
  // The first bucket is capped at 1 MiB, as DDP's is (_DEFAULT_FIRST_BUCKET_BYTES): with one large bucket a small
  // network's whole gradient waits for the end of backward and nothing overlaps.
  static constexpr int64_t first_bucket_cap = 1024 * 1024;

  pn_reducer(pn_group* g, std::vector<at::Tensor> ps, int64_t bucket_bytes)
      : group(g), params(std::move(ps)), bucket_bytes(bucket_bytes) {
    ready.assign(params.size(), false);
    std::vector<size_t> reversed(params.size());
    for (size_t k = 0; k < params.size(); ++k) {
      TORCH_CHECK(params[k].requires_grad(), "parameter ", k, " does not require a gradient");
      TORCH_CHECK(params[k].scalar_type() == params[0].scalar_type(), "all parameters of a reducer must have one element type");
      reversed[k] = params.size() - 1 - k;
    }
    assign(reversed);
    inverse_world_size = at::scalar_tensor(1.0 / group->size, params[0].options().requires_grad(false));
    for (size_t k = 0; k < params.size(); ++k) {
      auto accumulator = torch::autograd::impl::grad_accumulator(params[k]);
      TORCH_CHECK(accumulator, "parameter ", k, " is not a leaf tensor");
      hook_keys.push_back(accumulator->add_post_hook(std::make_unique<GradReadyHook>(this, k)));
      accumulators.push_back(std::move(accumulator));  // keeps the hook's node alive between steps
    }
  }

  ~pn_reducer() {
    for (size_t k = 0; k < accumulators.size(); ++k) accumulators[k]->del_post_hook(hook_keys[k]);
  }

  // Fills buckets with the parameters in `order`: the first bucket up to 1 MiB, the others up to bucket_bytes.
  void assign(const std::vector<size_t>& order) {
    buckets.clear();
    bucket_of.assign(params.size(), 0);
    slot_of.assign(params.size(), 0);
    int64_t filled = 0;
    for (size_t k : order) {
      int64_t bytes = params[k].numel() * static_cast<int64_t>(params[k].element_size());
      int64_t cap = buckets.size() == 1 ? std::min(bucket_bytes, first_bucket_cap) : bucket_bytes;
      if (buckets.empty() || (filled > 0 && filled + bytes > cap)) {
        buckets.emplace_back();
        filled = 0;
      }
      auto& b = buckets.back();
      bucket_of[k] = buckets.size() - 1;
      slot_of[k] = b.params.size();
      b.offsets.push_back(b.params.empty() ? 0 : b.offsets.back() + params[b.params.back()].numel());
      b.params.push_back(k);
      filled += bytes;
    }
    for (auto& b : buckets) {
      int64_t total = b.offsets.back() + params[b.params.back()].numel();
      b.flat = at::zeros({total}, params[b.params.front()].options().requires_grad(false));
    }
  }

  // After the first step, as DDP does: buckets are rebuilt in the order backward actually produced the gradients
  // (registration order only approximates it), so that the first bucket is full as early as it can be. Rank 0's
  // order is broadcast, since the buckets of all ranks must pair up.
  void rebuild_in_ready_order() {
    rebuilt = true;
    for (size_t k = 0; k < params.size(); ++k)
      if (std::find(ready_order.begin(), ready_order.end(), k) == ready_order.end()) ready_order.push_back(k);
    auto order = at::tensor(std::vector<int64_t>(ready_order.begin(), ready_order.end()), at::kLong);
    std::vector<at::Tensor> one{order};
    c10d::BroadcastOptions opts;
    opts.rootRank = 0;
    opts.timeout = group->timeout;
    group->wait(group->pg->broadcast(one, opts), "broadcast of the gradient bucket order");
    auto* data = order.data_ptr<int64_t>();
    assign(std::vector<size_t>(data, data + order.numel()));
    ready_order.clear();
  }

  void prepare() {
    std::lock_guard<std::mutex> guard(lock);
    TORCH_CHECK(!armed, "the gradient reducer is already armed: finish() the previous step first");
    for (auto& b : buckets) {
      b.pending = b.params.size();
      b.work.reset();
    }
    std::fill(ready.begin(), ready.end(), false);
    next_launch = 0;
    armed = true;
  }

  void copy_in(size_t k) {
    auto& b = buckets[bucket_of[k]];
    const auto& grad = params[k].grad();
    auto slot = b.flat.narrow(0, b.offsets[slot_of[k]], params[k].numel());
    // Copy and divide by the world size in one pass, while backward still runs (as DDP does), instead of dividing
    // the whole bucket after its all-reduce, on the critical path.
    if (grad.defined())
      at::mul_out(slot, grad.reshape({-1}), inverse_world_size);
    else
      slot.zero_();
    ready[k] = true;
    --b.pending;
  }

  // Buckets start in index order on every rank, whatever order their gradients arrive in, so the collectives
  // of all ranks pair up.
  void launch_ready() {
    while (next_launch < buckets.size() && buckets[next_launch].pending == 0) {
      auto& b = buckets[next_launch++];
      std::vector<at::Tensor> one{b.flat};
      c10d::AllreduceOptions opts;
      opts.timeout = group->timeout;
      b.work = group->pg->allreduce(one, opts);
    }
  }

  void on_grad_ready(size_t k) {
    std::lock_guard<std::mutex> guard(lock);
    if (!armed || ready[k]) return;
    if (!rebuilt) ready_order.push_back(k);
    copy_in(k);
    launch_ready();
  }

  // After backward: parameters that got no gradient count as zeros, every bucket is awaited, and each
  // parameter's gradient becomes the average over ranks (each rank's share was divided by the world size on copy-in).
  void finish() {
    std::lock_guard<std::mutex> guard(lock);
    TORCH_CHECK(armed, "the gradient reducer was not armed before backward");
    armed = false;
    for (size_t k = 0; k < params.size(); ++k)
      if (!ready[k]) copy_in(k);
    launch_ready();
    for (size_t i = 0; i < buckets.size(); ++i) {
      auto& b = buckets[i];
      std::string what = "all_reduce of gradient bucket " + std::to_string(i);
      group->wait(b.work, what.c_str());
      // Each gradient becomes a view of its bucket instead of a copy (DDP's gradient_as_bucket_view): one copy less
      // per parameter per step. The optimiser's zero_grad drops the views (set_to_none), and the next backward's
      // gradients are copied into the bucket again before it is reused.
      for (size_t s = 0; s < b.params.size(); ++s) {
        auto& p = params[b.params[s]];
        p.mutable_grad() = b.flat.narrow(0, b.offsets[s], p.numel()).view(p.sizes());
      }
    }
    if (!rebuilt && group->size > 1) rebuild_in_ready_order();  // the views keep the old buckets alive until zero_grad
  }
};

torch::autograd::variable_list GradReadyHook::operator()(const torch::autograd::variable_list& outputs,
                                                         const torch::autograd::variable_list&) {
  reducer->on_grad_ready(index);
  return outputs;
}

typedef pn_reducer* pn_reducer_t;

PN_API pn_reducer_t pn_reducer_new(pn_group_t g, pn_tensor* params, int n, int64_t bucket_bytes) {
  PN_TRY
  TORCH_CHECK(n > 0, "a gradient reducer needs at least one parameter");
  TORCH_CHECK(bucket_bytes > 0, "bucket size must be positive, not ", bucket_bytes);
  return new pn_reducer(g, tensors(params, n), bucket_bytes);
  PN_CATCH(nullptr)
}

PN_API void pn_reducer_free(pn_reducer_t r) { delete r; }
PN_API int pn_reducer_bucket_count(pn_reducer_t r) { return static_cast<int>(r->buckets.size()); }

PN_API int pn_reducer_prepare(pn_reducer_t r) {
  PN_TRY
  r->prepare();
  return 0;
  PN_CATCH(-1)
}

PN_API int pn_reducer_finish(pn_reducer_t r) {
  PN_TRY
  r->finish();
  return 0;
  PN_CATCH(-1)
}

// ---- synchronised batch normalisation -----------------------------------------------------------
//
// Statistics over the batch of every rank: each rank's per-channel mean and biased variance and its element
// count are all-gathered and combined (Chan's parallel formula, which stays exact where sum-of-squares would
// cancel). Backward all-reduces the per-channel sums of dy and dy*(x - mean) so that each rank's input
// gradient is that of the sum of all ranks' losses; weight and bias gradients stay local (the reducer averages
// them), as in torch.nn.SyncBatchNorm. Every per-channel reduction accumulates in double, as libtorch's CPU batch
// norm does: the input gradient subtracts two of them from dy, and where those nearly cancel (a batch norm whose
// output feeds another one) float accumulation made 2 x 16 differ from 1 x 32 by 1e-3 instead of 1e-5.

namespace {

std::vector<int64_t> reduce_dims(const at::Tensor& x) {
  std::vector<int64_t> dims{0};
  for (int64_t d = 2; d < x.dim(); ++d) dims.push_back(d);
  return dims;
}

at::Tensor per_channel(const at::Tensor& v, const at::Tensor& x) {
  std::vector<int64_t> shape(x.dim(), 1);
  shape[1] = x.size(1);
  return v.view(shape);
}

struct SyncBatchNorm : torch::autograd::Function<SyncBatchNorm> {
  // libtorch 1.13's Function::apply reads the device of every tensor argument, so absent ones arrive as
  // placeholders (weight ones, bias zeros, empty running statistics) with flags saying which are real.
  static at::Tensor forward(torch::autograd::AutogradContext* ctx, at::Tensor x, at::Tensor weight, at::Tensor bias,
                            at::Tensor running_mean, at::Tensor running_var, double momentum, double eps,
                            int64_t group_address, bool affine, bool has_bias, bool tracks) {
    auto* g = reinterpret_cast<pn_group*>(group_address);
    auto dims = reduce_dims(x);
    int64_t channels = x.size(1);
    double local_count = static_cast<double>(x.numel() / channels);
    auto local_mean = at::sum(x, dims, false, at::kDouble) / local_count;
    auto centred = x - per_channel(local_mean.to(x.scalar_type()), x);
    auto local_var = at::sum(centred * centred, dims, false, at::kDouble) / local_count;
    auto local = at::cat({local_mean, local_var, at::full({1}, local_count, local_mean.options())});
    std::vector<at::Tensor> parts;
    for (int r = 0; r < g->size; ++r) parts.push_back(at::empty_like(local));
    std::vector<std::vector<at::Tensor>> outputs{parts};
    std::vector<at::Tensor> inputs{local};
    c10d::AllgatherOptions opts;
    opts.timeout = g->timeout;
    g->wait(g->pg->allgather(outputs, inputs, opts), "all_gather of batch-norm statistics");
    auto all = at::stack(outputs[0]);  // [world, 2C + 1]
    auto means = all.narrow(1, 0, channels), vars = all.narrow(1, channels, channels);
    auto counts = all.narrow(1, 2 * channels, 1);
    auto total = counts.sum();
    auto mean = (means * counts).sum(0) / total;
    auto var = ((vars + (means - mean).pow(2)) * counts).sum(0) / total;
    double n = total.item<double>();

    if (tracks) {
      at::NoGradGuard no_grad;
      running_mean.mul_(1 - momentum).add_(mean.to(running_mean.scalar_type()), momentum);
      running_var.mul_(1 - momentum).add_((var * (n / std::max(n - 1, 1.0))).to(running_var.scalar_type()), momentum);
    }
    auto mean_x = mean.to(x.scalar_type());
    auto invstd = (var + eps).rsqrt();  // double: backward needs invstd^2 per channel
    ctx->save_for_backward({x, weight, mean_x, invstd});
    ctx->saved_data["group"] = group_address;
    ctx->saved_data["count"] = n;
    ctx->saved_data["affine"] = affine;
    ctx->saved_data["has_bias"] = has_bias;
    auto y = (x - per_channel(mean_x, x)) * per_channel((invstd * weight.to(at::kDouble)).to(x.scalar_type()), x);
    return has_bias ? y + per_channel(bias, x) : y;
  }

  static torch::autograd::variable_list backward(torch::autograd::AutogradContext* ctx,
                                                 torch::autograd::variable_list grad_outputs) {
    auto saved = ctx->get_saved_variables();
    auto x = saved[0], w = saved[1], mean = saved[2], invstd = saved[3];
    auto* g = reinterpret_cast<pn_group*>(ctx->saved_data["group"].toInt());
    double n = ctx->saved_data["count"].toDouble();
    bool affine = ctx->saved_data["affine"].toBool();
    auto dy = grad_outputs[0];
    auto dims = reduce_dims(x);
    auto xmu = x - per_channel(mean, x);
    auto sum_dy = at::sum(dy, dims, false, at::kDouble);
    auto sum_dy_xmu = at::sum(dy * xmu, dims, false, at::kDouble);
    auto type = x.scalar_type();
    at::Tensor grad_weight = affine ? (sum_dy_xmu * invstd).to(w.scalar_type()) : at::Tensor();
    at::Tensor grad_bias = ctx->saved_data["has_bias"].toBool() ? sum_dy.to(w.scalar_type()) : at::Tensor();
    int64_t channels = x.size(1);
    std::vector<at::Tensor> sums{at::cat({sum_dy, sum_dy_xmu})};
    all_reduce(*g, sums, 0, "all_reduce of batch-norm gradients");
    auto mean_dy = sums[0].narrow(0, 0, channels) / n;
    auto mean_dy_xmu = sums[0].narrow(0, channels, channels) / n;
    auto dx = (dy - per_channel(mean_dy.to(type), x) - xmu * per_channel((invstd * invstd * mean_dy_xmu).to(type), x)) *
              per_channel((invstd * w.to(at::kDouble)).to(type), x);
    return {dx, grad_weight, grad_bias, at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(), at::Tensor(),
            at::Tensor(), at::Tensor(), at::Tensor()};
  }
};

}  // namespace

// Training-mode batch norm with statistics over every rank's batch; updates the running statistics in place.
PN_API pn_tensor pn_dist_sync_batch_norm(pn_group_t g, pn_tensor x, pn_tensor weight, pn_tensor bias,
                                         pn_tensor running_mean, pn_tensor running_var, double momentum, double eps) {
  PN_TRY
  TORCH_CHECK(x->dim() >= 2, "batch norm needs an input of at least 2 dimensions, got ", x->dim());
  int64_t channels = (*x).size(1);
  auto stats = (*x).options().requires_grad(false);
  at::Tensor w = weight ? *weight : at::ones({channels}, stats);
  at::Tensor b = bias ? *bias : at::zeros({channels}, stats);
  at::Tensor mean = running_mean ? *running_mean : at::empty({0}, stats);
  at::Tensor var = running_var ? *running_var : at::empty({0}, stats);
  return pn::wrap(SyncBatchNorm::apply(*x, w, b, mean, var, momentum, eps, reinterpret_cast<int64_t>(g), weight != nullptr,
                                       bias != nullptr, running_mean != nullptr && running_var != nullptr));
  PN_CATCH(nullptr)
}
