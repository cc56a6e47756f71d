/*
** tw_cuda_emu.cc: the emulated CUDA runtime behind tw_cuda_emu.h (tests only).
**
** Devices, memory, streams and events are host objects; every call does its
** work before returning. Kernels run block after block on the calling thread,
** each CUDA thread a ucontext fiber; __syncthreads() switches back to the
** block's scheduler. A block's first thread runs as a fiber; if it returns without
** reaching a barrier, the kernel has none on this path (CUDA requires every
** thread of a block to reach each barrier, or none), so the other threads run
** as plain calls, cheaply, and one of them reaching __syncthreads() is reported
** as the divergent barrier it is.
**
** Errors follow the runtime's rules: each call returns its error and records it
** as the thread's last error (cudaGetLastError returns and clears it); a refused
** launch records its error. Misuse that a GPU would turn into a crash or garbage
** (a host pointer passed to a kernel, a copy past an allocation) is refused with
** a line on stderr naming the call site.
*/
/* _longjmp between fiber stacks is what the fibers do; the fortified longjmp
** would take a jump to another stack for a corrupted one. Before any header:
** glibc fixes the fortify level at its first include (CMake adds
** -U_FORTIFY_SOURCE too, for compilers that define it themselves). */
#undef _FORTIFY_SOURCE
#include "tw_cuda_emu.h" /* the API implemented here */

#include <setjmp.h>   /* _setjmp, _longjmp: switches between fibers */
#include <sys/mman.h> /* mmap, mprotect: fiber stacks with a guard page */
#include <time.h>     /* clock_gettime for events */
#include <ucontext.h> /* getcontext, makecontext, setcontext: making and entering fibers */

#include <climits> /* INT_MAX */
#include <cstdarg> /* va_list for the messages */
#include <cstdio>  /* fprintf */
#include <cstdlib> /* getenv, aligned_alloc, abort */
#include <map>     /* live allocations, kernel attributes */
#include <mutex>   /* one launch at a time; the registries */
#include <set>     /* live streams and events */
#include <vector>  /* fibers */

namespace tw_emu {
__thread uint3 thread_idx, block_idx, block_dim, grid_dim;
}

/* The sections the linker bounds for us: all static __shared__ variables. */
extern "C" char __start_tw_emu_shared[] __attribute__((weak));
extern "C" char __stop_tw_emu_shared[] __attribute__((weak));

struct tw_emu_stream {
  int device;
  unsigned int flags;
};
struct tw_emu_event {
  unsigned int flags;
  bool recorded;
  double ms;
};

namespace {

/* ---- the emulated device: an H100's limits, 4 SMs ------------------------- */

const size_t kGlobalMem = (size_t)16 << 30;
const int kSharedPerBlock = 48 * 1024;        /* without cudaFuncSetAttribute */
const int kSharedOptin = 227 * 1024;          /* cudaDevAttrMaxSharedMemoryPerBlockOptin */
const int kSharedPerSm = 228 * 1024;
const int kSharedReservedPerBlock = 1024;     /* what sm_80+ keep per resident block */
const int kThreadsPerSm = 2048, kBlocksPerSm = 32;
const int kSms = 4; /* few SMs: grids sized from the SM count walk several tiles per block */
const size_t kStackBytes = 256 * 1024;

struct config {
  int devices = 1;
  cudaError_t init_error = cudaSuccess;
  bool reverse = false;
};

struct error_name {
  cudaError_t code;
  const char *name, *text;
};
const error_name kErrors[] = {
    {cudaSuccess, "cudaSuccess", "no error"},
    {cudaErrorInvalidValue, "cudaErrorInvalidValue", "invalid argument"},
    {cudaErrorMemoryAllocation, "cudaErrorMemoryAllocation", "out of memory"},
    {cudaErrorInitializationError, "cudaErrorInitializationError", "initialization error"},
    {cudaErrorInvalidConfiguration, "cudaErrorInvalidConfiguration", "invalid configuration argument"},
    {cudaErrorInvalidDevicePointer, "cudaErrorInvalidDevicePointer", "invalid device pointer"},
    {cudaErrorInvalidMemcpyDirection, "cudaErrorInvalidMemcpyDirection", "invalid copy direction for memcpy"},
    {cudaErrorInsufficientDriver, "cudaErrorInsufficientDriver",
     "CUDA driver version is insufficient for CUDA runtime version"},
    {cudaErrorInvalidDeviceFunction, "cudaErrorInvalidDeviceFunction", "invalid device function"},
    {cudaErrorNoDevice, "cudaErrorNoDevice", "no CUDA-capable device is detected"},
    {cudaErrorInvalidDevice, "cudaErrorInvalidDevice", "invalid device ordinal"},
    {cudaErrorNoKernelImageForDevice, "cudaErrorNoKernelImageForDevice",
     "no kernel image is available for execution on the device"},
    {cudaErrorInvalidResourceHandle, "cudaErrorInvalidResourceHandle", "invalid resource handle"},
    {cudaErrorNotReady, "cudaErrorNotReady", "device not ready"},
    {cudaErrorIllegalAddress, "cudaErrorIllegalAddress", "an illegal memory access was encountered"},
    {cudaErrorLaunchOutOfResources, "cudaErrorLaunchOutOfResources", "too many resources requested for launch"},
    {cudaErrorLaunchFailure, "cudaErrorLaunchFailure", "unspecified launch failure"},
    {cudaErrorNotSupported, "cudaErrorNotSupported", "operation not supported"},
    {cudaErrorSystemDriverMismatch, "cudaErrorSystemDriverMismatch",
     "system has unsupported display driver / cuda driver combination"},
    {cudaErrorUnknown, "cudaErrorUnknown", "unknown error"},
};

const error_name *find_error(cudaError_t e) {
  for (const error_name &n : kErrors)
    if (n.code == e) return &n;
  return nullptr;
}

cudaError_t parse_error(const char *s) {
  for (const error_name &n : kErrors)
    if (!strcmp(n.name, s)) return n.code;
  char *end = nullptr;
  long v = strtol(s, &end, 0);
  if (end != s && !*end && v > 0) return (cudaError_t)v;
  fprintf(stderr, "cuda-emu: TW_CUDA_EMU_INIT_ERROR=%s is neither an error name nor a number; using cudaErrorUnknown\n", s);
  return cudaErrorUnknown;
}

const config &cfg() {
  static config c;
  static std::once_flag once;
  std::call_once(once, [] {
    if (const char *s = getenv("TW_CUDA_EMU_DEVICES")) c.devices = atoi(s) < 0 ? 0 : atoi(s);
    if (const char *s = getenv("TW_CUDA_EMU_INIT_ERROR"); s && *s) c.init_error = parse_error(s);
    if (const char *s = getenv("TW_CUDA_EMU_REVERSE")) c.reverse = *s && strcmp(s, "0");
  });
  return c;
}

thread_local cudaError_t last_error = cudaSuccess;
thread_local int current_device = 0;

cudaError_t record(cudaError_t e) {
  if (e != cudaSuccess) last_error = e;
  return e;
}

/* Records e and says why on stderr: for misuse a GPU would not explain. */
__attribute__((format(printf, 2, 3))) cudaError_t refuse(cudaError_t e, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "cuda-emu: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, " (%s)\n", find_error(e) ? find_error(e)->name : "?");
  va_end(ap);
  return record(e);
}

[[noreturn]] __attribute__((format(printf, 1, 2))) void fatal(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "cuda-emu: fatal: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
  abort();
}

/* The start of every call that needs a working runtime and a device. */
cudaError_t ready() {
  const config &c = cfg();
  if (c.init_error != cudaSuccess) return record(c.init_error);
  if (c.devices == 0) return record(cudaErrorNoDevice);
  return cudaSuccess;
}

/* ---- memory ----------------------------------------------------------------- */

struct allocation {
  size_t bytes;
  int device;
};
std::mutex mem_lock;
std::map<uintptr_t, allocation> allocations; /* by base address */
std::map<int, size_t> used_by_device;

/* The live allocation holding p (p may be its end), or nullptr; mem_lock held. */
const allocation *find_allocation(const void *p, uintptr_t *base) {
  const uintptr_t a = (uintptr_t)p;
  auto it = allocations.upper_bound(a);
  if (it == allocations.begin()) return nullptr;
  --it;
  if (a > it->first + it->second.bytes) return nullptr;
  *base = it->first;
  return &it->second;
}

bool is_device(const void *p) {
  std::lock_guard<std::mutex> lock(mem_lock);
  uintptr_t base;
  return find_allocation(p, &base) != nullptr;
}

/* [p, p + bytes) inside one allocation of the current device; else a message. */
bool in_device_range(const void *p, size_t bytes, const char *what) {
  std::lock_guard<std::mutex> lock(mem_lock);
  uintptr_t base;
  const allocation *a = find_allocation(p, &base);
  if (!a) {
    fprintf(stderr, "cuda-emu: %s: %p is not in any live device allocation (host memory, freed, or never allocated)\n",
            what, p);
    return false;
  }
  if ((uintptr_t)p + bytes > base + a->bytes) {
    fprintf(stderr, "cuda-emu: %s: %zu bytes at offset %zu run past the end of a %zu-byte allocation\n", what, bytes,
            (size_t)((uintptr_t)p - base), a->bytes);
    return false;
  }
  if (a->device != current_device) {
    fprintf(stderr, "cuda-emu: %s: %p belongs to device %d, but device %d is current\n", what, p, a->device,
            current_device);
    return false;
  }
  return true;
}

cudaError_t allocate(void **ptr, size_t bytes) {
  if (!ptr) return refuse(cudaErrorInvalidValue, "cudaMalloc: NULL result pointer");
  *ptr = nullptr;
  if (cudaError_t e = ready()) return e;
  std::lock_guard<std::mutex> lock(mem_lock);
  size_t &used = used_by_device[current_device];
  const size_t rounded = (bytes + 255) / 256 * 256; /* cudaMalloc aligns to 256 bytes */
  if (bytes > kGlobalMem - used || rounded < bytes) return record(cudaErrorMemoryAllocation);
  void *p = aligned_alloc(256, rounded ? rounded : 256);
  if (!p) return record(cudaErrorMemoryAllocation);
  memset(p, 0xFF, rounded ? rounded : 256); /* unwritten device memory reads as NaN */
  allocations[(uintptr_t)p] = allocation{bytes, current_device};
  used += bytes;
  *ptr = p;
  return cudaSuccess;
}

cudaError_t release(void *ptr, const char *call) {
  if (cudaError_t e = ready()) return e;
  if (!ptr) return cudaSuccess;
  std::lock_guard<std::mutex> lock(mem_lock);
  auto it = allocations.find((uintptr_t)ptr);
  if (it == allocations.end())
    return refuse(cudaErrorInvalidValue, "%s(%p): not the start of a live device allocation", call, ptr);
  used_by_device[it->second.device] -= it->second.bytes;
  allocations.erase(it);
  free(ptr);
  return cudaSuccess;
}

/* The side each end of a copy must be on, from its kind; Default infers it. */
cudaError_t copy(void *dst, const void *src, size_t bytes, cudaMemcpyKind kind, const char *call) {
  if (cudaError_t e = ready()) return e;
  if (!bytes) return cudaSuccess;
  bool dst_dev, src_dev;
  switch (kind) {
  case cudaMemcpyHostToHost: dst_dev = false, src_dev = false; break;
  case cudaMemcpyHostToDevice: dst_dev = true, src_dev = false; break;
  case cudaMemcpyDeviceToHost: dst_dev = false, src_dev = true; break;
  case cudaMemcpyDeviceToDevice: dst_dev = true, src_dev = true; break;
  case cudaMemcpyDefault: dst_dev = is_device(dst), src_dev = is_device(src); break;
  default: return refuse(cudaErrorInvalidMemcpyDirection, "%s: kind %d", call, (int)kind);
  }
  char what[96];
  snprintf(what, sizeof what, "%s destination", call);
  if (dst_dev ? !in_device_range(dst, bytes, what) : is_device(dst))
    return refuse(cudaErrorInvalidValue, "%s: the destination is not %s memory, as kind %d says", call,
                  dst_dev ? "device" : "host", (int)kind);
  snprintf(what, sizeof what, "%s source", call);
  if (src_dev ? !in_device_range(src, bytes, what) : is_device(src))
    return refuse(cudaErrorInvalidValue, "%s: the source is not %s memory, as kind %d says", call,
                  src_dev ? "device" : "host", (int)kind);
  const char *d = (const char *)dst, *s = (const char *)src;
  if (d != s && d < s + bytes && s < d + bytes)
    return refuse(cudaErrorInvalidValue, "%s: source and destination overlap", call);
  memmove(dst, src, bytes);
  return cudaSuccess;
}

cudaError_t fill(void *dst, int value, size_t bytes, const char *call) {
  if (cudaError_t e = ready()) return e;
  if (!bytes) return cudaSuccess;
  if (!in_device_range(dst, bytes, call)) return refuse(cudaErrorInvalidValue, "%s: destination", call);
  memset(dst, value, bytes);
  return cudaSuccess;
}

/* ---- streams and events ----------------------------------------------------- */

std::mutex handle_lock;
std::set<tw_emu_stream *> streams;
std::set<tw_emu_event *> events;

/* 0 (the legacy default stream) or a live stream; with `same_device`, one of the
** current device (kernels must be launched into their device's streams). */
cudaError_t check_stream(cudaStream_t s, bool same_device, const char *call) {
  if (!s) return cudaSuccess;
  std::lock_guard<std::mutex> lock(handle_lock);
  if (!streams.count(s)) return refuse(cudaErrorInvalidResourceHandle, "%s: stream %p is not a live stream", call, (void *)s);
  if (same_device && s->device != current_device)
    return refuse(cudaErrorInvalidResourceHandle, "%s: the stream belongs to device %d, device %d is current", call,
                  s->device, current_device);
  return cudaSuccess;
}

cudaError_t check_event(cudaEvent_t e, const char *call) {
  std::lock_guard<std::mutex> lock(handle_lock);
  if (!e || !events.count(e)) return refuse(cudaErrorInvalidResourceHandle, "%s: not a live event", call);
  return cudaSuccess;
}

double now_ms() {
  timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec * 1e3 + (double)t.tv_nsec * 1e-6;
}

/* ---- kernels: attributes and the fiber scheduler ---------------------------- */

std::mutex attr_lock;
std::map<const void *, int> max_dynamic_smem; /* cudaFuncAttributeMaxDynamicSharedMemorySize */

int kernel_smem_limit(const void *kernel) {
  std::lock_guard<std::mutex> lock(attr_lock);
  auto it = max_dynamic_smem.find(kernel);
  return it == max_dynamic_smem.end() ? kSharedPerBlock : it->second;
}

enum fiber_state { RUNNABLE, AT_BARRIER, DONE };

/* A CUDA thread. Made once with makecontext on its own stack and entered once
** with setcontext; from then on it loops in fiber_main, one thread body per
** resume, and every switch is a _setjmp/_longjmp pair (no system call, where
** swapcontext makes one to save the signal mask). */
struct fiber {
  ucontext_t start;
  jmp_buf jb;
  char *stack = nullptr;
  bool started = false;
  uint3 tid;
  fiber_state state = DONE;
};

/* The state of the launch in progress (one at a time: launch_lock). */
struct runner {
  std::vector<fiber> fibers = std::vector<fiber>(1024); /* never resized: fibers keep their address */
  jmp_buf scheduler;
  fiber *current = nullptr;
  bool in_kernel = false, plain = false;
  tw_emu::body_fn body = nullptr;
  void *ctx = nullptr;
  const char *file = "";
  int line = 0;
  int barrier_count = 0, barrier_result = 0; /* __syncthreads_count and friends */
  std::vector<char> dynamic_smem;
};
std::mutex launch_lock;
runner R;

char *new_stack() {
  const size_t page = 4096;
  void *m = mmap(nullptr, kStackBytes + page, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE,
                 -1, 0);
  if (m == MAP_FAILED) fatal("cannot map a %zu-byte fiber stack", kStackBytes);
  mprotect(m, page, PROT_NONE); /* guard page: an overflow faults instead of corrupting a neighbour */
  return (char *)m + page;
}

/* Back to the scheduler; returns when the scheduler resumes this fiber. */
void yield_to_scheduler(fiber *f) {
  if (!_setjmp(f->jb)) _longjmp(R.scheduler, 1);
}

void fiber_main() {
  for (;;) {
    R.body(R.ctx);
    fiber *f = R.current;
    f->state = DONE;
    yield_to_scheduler(f); /* resumed for the same thread index of a later block */
  }
}

uint3 thread_of(unsigned int linear) {
  const dim3 b(tw_emu::block_dim);
  return uint3{linear % b.x, linear / b.x % b.y, linear / (b.x * b.y)};
}

void make_fiber(fiber &f) {
  f.stack = new_stack();
  if (getcontext(&f.start)) fatal("getcontext failed");
  f.start.uc_stack.ss_sp = f.stack;
  f.start.uc_stack.ss_size = kStackBytes;
  f.start.uc_link = nullptr; /* fiber_main never returns */
  makecontext(&f.start, fiber_main, 0);
}

/* Runs fiber f (thread `linear` of the block) until it reaches a barrier or returns. */
void resume(fiber &f) {
  tw_emu::thread_idx = f.tid;
  R.current = &f;
  if (!_setjmp(R.scheduler)) {
    if (f.started) _longjmp(f.jb, 1);
    f.started = true;
    setcontext(&f.start);
    fatal("setcontext failed");
  }
  R.current = nullptr;
}

void start_thread(fiber &f, unsigned int linear) {
  if (!f.stack) make_fiber(f);
  f.tid = thread_of(linear);
  f.state = RUNNABLE;
}

const char *where() {
  static thread_local char buf[512];
  snprintf(buf, sizeof buf, "kernel launched at %s:%d, block (%u,%u,%u)", R.file, R.line, tw_emu::block_idx.x,
           tw_emu::block_idx.y, tw_emu::block_idx.z);
  return buf;
}

/* Runs the threads of a block that did not finish at once, barrier phase by
** barrier phase, resuming them in `order`. */
void run_phases(const std::vector<unsigned int> &order) {
  for (;;) {
    for (unsigned int t : order)
      if (R.fibers[t].state == RUNNABLE) resume(R.fibers[t]);
    int waiting = 0, done = 0;
    const fiber *gone = nullptr;
    for (unsigned int t : order) {
      if (R.fibers[t].state == AT_BARRIER) ++waiting;
      else if (++done, !gone) gone = &R.fibers[t];
    }
    if (!waiting) return;
    if (done)
      fatal("%s: thread (%u,%u,%u) returned while %d others wait at __syncthreads() (a barrier every "
            "thread of the block must reach)", where(), gone->tid.x, gone->tid.y, gone->tid.z, waiting);
    R.barrier_result = R.barrier_count;
    R.barrier_count = 0;
    for (unsigned int t : order) R.fibers[t].state = RUNNABLE;
  }
}

void run_block(unsigned int threads) {
  static std::vector<unsigned int> order;
  order.resize(threads);
  for (unsigned int i = 0; i < threads; ++i) order[i] = cfg().reverse ? threads - 1 - i : i;
  R.barrier_count = 0;
  start_thread(R.fibers[order[0]], order[0]);
  resume(R.fibers[order[0]]);
  if (R.fibers[order[0]].state == DONE) {
    /* no barrier on this path: the others as plain calls */
    R.plain = true;
    for (unsigned int i = 1; i < threads; ++i) {
      tw_emu::thread_idx = thread_of(order[i]);
      R.body(R.ctx);
    }
    R.plain = false;
    return;
  }
  for (unsigned int i = 1; i < threads; ++i) start_thread(R.fibers[order[i]], order[i]);
  run_phases(order);
}

void poison_shared(size_t dynamic_bytes) {
  const uintptr_t start = (uintptr_t)__start_tw_emu_shared, stop = (uintptr_t)__stop_tw_emu_shared;
  if (start && stop > start) memset(__start_tw_emu_shared, 0xFF, stop - start);
  if (dynamic_bytes) memset(R.dynamic_smem.data(), 0xFF, dynamic_bytes);
}

/* The launch limits of an H100 (compute capability 9.0). */
cudaError_t check_launch(const char *file, int line, const void *kernel, dim3 g, dim3 b, size_t smem) {
  if (!g.x || !g.y || !g.z || !b.x || !b.y || !b.z)
    return refuse(cudaErrorInvalidConfiguration, "%s:%d: launch with an empty grid (%u,%u,%u) or block (%u,%u,%u)",
                  file, line, g.x, g.y, g.z, b.x, b.y, b.z);
  if (g.x > (unsigned)INT_MAX || g.y > 65535 || g.z > 65535)
    return refuse(cudaErrorInvalidConfiguration, "%s:%d: grid (%u,%u,%u) above (2^31-1, 65535, 65535)", file, line,
                  g.x, g.y, g.z);
  if (b.x > 1024 || b.y > 1024 || b.z > 64 || (size_t)b.x * b.y * b.z > 1024)
    return refuse(cudaErrorInvalidConfiguration, "%s:%d: block (%u,%u,%u) above 1024 threads or (1024, 1024, 64)",
                  file, line, b.x, b.y, b.z);
  const int limit = kernel_smem_limit(kernel);
  if (smem > (size_t)limit)
    return refuse(cudaErrorInvalidValue, "%s:%d: %zu bytes of dynamic shared memory, above the kernel's limit of %d "
                  "(raise it with cudaFuncSetAttribute)", file, line, smem, limit);
  return cudaSuccess;
}

} // namespace

/* ---- kernels ---------------------------------------------------------------- */

namespace tw_emu {

void run_kernel(const char *file, int line, const void *kernel, dim3 grid, dim3 block, size_t smem,
                cudaStream_t stream, body_fn body, void *ctx) {
  if (ready() != cudaSuccess || check_stream(stream, true, "kernel launch") != cudaSuccess ||
      check_launch(file, line, kernel, grid, block, smem) != cudaSuccess)
    return;
  std::lock_guard<std::mutex> lock(launch_lock);
  if (R.in_kernel) fatal("%s:%d: a kernel launched from inside a kernel", file, line);
  if (R.dynamic_smem.size() < smem) R.dynamic_smem.resize(smem);
  R.in_kernel = true, R.body = body, R.ctx = ctx, R.file = file, R.line = line;
  block_dim = uint3{block.x, block.y, block.z};
  grid_dim = uint3{grid.x, grid.y, grid.z};
  for (unsigned int z = 0; z < grid.z; ++z)
    for (unsigned int y = 0; y < grid.y; ++y)
      for (unsigned int x = 0; x < grid.x; ++x) {
        block_idx = uint3{x, y, z};
        poison_shared(smem);
        run_block(block.x * block.y * block.z);
      }
  R.in_kernel = false;
}

bool check_kernel_pointer(const void *p, const char *file, int line, int index) {
  if (!p || ready() != cudaSuccess) return true; /* a failed runtime is reported by the launch */
  char what[256];
  snprintf(what, sizeof what, "%s:%d: kernel argument %d", file, line, index);
  if (in_device_range(p, 0, what)) return true;
  record(cudaErrorIllegalAddress);
  return false;
}

bool check_device_range(const void *p, size_t bytes, const char *what) { return in_device_range(p, bytes, what); }

bool is_device_pointer(const void *p) { return is_device(p); }

void *dynamic_shared() {
  if (!R.in_kernel) fatal("extern __shared__ memory used outside a kernel");
  return R.dynamic_smem.data();
}

size_t bytes_in_use() {
  std::lock_guard<std::mutex> lock(mem_lock);
  size_t n = 0;
  for (const auto &d : used_by_device) n += d.second;
  return n;
}

cudaError_t func_set_attribute(const void *kernel, cudaFuncAttribute attr, int value) {
  if (cudaError_t e = ready()) return e;
  if (attr == cudaFuncAttributePreferredSharedMemoryCarveout)
    return value < -1 || value > 100 ? refuse(cudaErrorInvalidValue, "carveout %d", value) : cudaSuccess;
  if (attr != cudaFuncAttributeMaxDynamicSharedMemorySize)
    return refuse(cudaErrorInvalidValue, "cudaFuncSetAttribute: attribute %d is not emulated", (int)attr);
  if (value < 0 || value > kSharedOptin)
    return refuse(cudaErrorInvalidValue, "cudaFuncSetAttribute: %d bytes of dynamic shared memory, above %d",
                  value, kSharedOptin);
  std::lock_guard<std::mutex> lock(attr_lock);
  max_dynamic_smem[kernel] = value;
  return cudaSuccess;
}

cudaError_t occupancy(int *blocks, const void *kernel, int block_size, size_t smem) {
  if (cudaError_t e = ready()) return e;
  if (!blocks || block_size < 1 || block_size > 1024) return refuse(cudaErrorInvalidValue, "occupancy: block size %d", block_size);
  const int warps = (block_size + 31) / 32;
  int n = kThreadsPerSm / (warps * 32);
  if (n > kBlocksPerSm) n = kBlocksPerSm;
  const int by_smem = smem > (size_t)kernel_smem_limit(kernel) ? 0 : kSharedPerSm / (int)(smem + kSharedReservedPerBlock);
  *blocks = n < by_smem ? n : by_smem;
  return cudaSuccess;
}

/* One barrier: the calling fiber waits until every thread of the block is here. */
static int barrier(int predicate) {
  if (!R.in_kernel) fatal("__syncthreads() called outside a kernel");
  if (R.plain)
    fatal("%s: thread (%u,%u,%u) reached __syncthreads(), which the block's first thread returned without "
          "reaching (a barrier every thread of the block must reach)", where(), thread_idx.x, thread_idx.y,
          thread_idx.z);
  fiber *f = R.current;
  R.barrier_count += predicate != 0;
  f->state = AT_BARRIER;
  yield_to_scheduler(f);
  return R.barrier_result;
}

} // namespace tw_emu

void __syncthreads() { (void)tw_emu::barrier(0); }
int __syncthreads_count(int predicate) { return tw_emu::barrier(predicate); }
int __syncthreads_and(int predicate) {
  return tw_emu::barrier(predicate) == (int)(tw_emu::block_dim.x * tw_emu::block_dim.y * tw_emu::block_dim.z);
}
int __syncthreads_or(int predicate) { return tw_emu::barrier(predicate) > 0; }

/* ---- errors and devices ----------------------------------------------------- */

const char *cudaGetErrorString(cudaError_t e) {
  const error_name *n = find_error(e);
  return n ? n->text : "unrecognized error code";
}

const char *cudaGetErrorName(cudaError_t e) {
  const error_name *n = find_error(e);
  return n ? n->name : "cudaErrorUnknown";
}

cudaError_t cudaGetLastError() {
  cudaError_t e = last_error;
  last_error = cudaSuccess;
  return e;
}

cudaError_t cudaPeekAtLastError() { return last_error; }

cudaError_t cudaGetDeviceCount(int *count) {
  if (!count) return record(cudaErrorInvalidValue);
  *count = 0;
  if (cudaError_t e = ready()) return e;
  *count = cfg().devices;
  return cudaSuccess;
}

static cudaError_t check_device(int device, const char *call) {
  if (cudaError_t e = ready()) return e;
  if (device < 0 || device >= cfg().devices)
    return refuse(cudaErrorInvalidDevice, "%s: device %d of %d", call, device, cfg().devices);
  return cudaSuccess;
}

cudaError_t cudaGetDeviceProperties(cudaDeviceProp *p, int device) {
  if (cudaError_t e = check_device(device, "cudaGetDeviceProperties")) return e;
  memset(p, 0, sizeof *p);
  snprintf(p->name, sizeof p->name, "twinscale CUDA emulator (host, H100 limits)");
  p->totalGlobalMem = kGlobalMem;
  p->sharedMemPerBlock = kSharedPerBlock;
  p->sharedMemPerBlockOptin = kSharedOptin;
  p->sharedMemPerMultiprocessor = kSharedPerSm;
  p->regsPerBlock = 65536;
  p->warpSize = 32;
  p->maxThreadsPerBlock = 1024;
  p->maxThreadsDim[0] = 1024, p->maxThreadsDim[1] = 1024, p->maxThreadsDim[2] = 64;
  p->maxGridSize[0] = INT_MAX, p->maxGridSize[1] = 65535, p->maxGridSize[2] = 65535;
  p->maxThreadsPerMultiProcessor = kThreadsPerSm;
  p->multiProcessorCount = kSms;
  p->major = 9, p->minor = 0;
  p->l2CacheSize = 50 << 20;
  return cudaSuccess;
}

cudaError_t cudaDeviceGetAttribute(int *value, cudaDeviceAttr attr, int device) {
  if (cudaError_t e = check_device(device, "cudaDeviceGetAttribute")) return e;
  switch (attr) {
  case cudaDevAttrMaxThreadsPerBlock: *value = 1024; break;
  case cudaDevAttrMaxBlockDimX: *value = 1024; break;
  case cudaDevAttrMaxGridDimX: *value = INT_MAX; break;
  case cudaDevAttrMaxSharedMemoryPerBlock: *value = kSharedPerBlock; break;
  case cudaDevAttrWarpSize: *value = 32; break;
  case cudaDevAttrMultiProcessorCount: *value = kSms; break;
  case cudaDevAttrMaxThreadsPerMultiProcessor: *value = kThreadsPerSm; break;
  case cudaDevAttrComputeCapabilityMajor: *value = 9; break;
  case cudaDevAttrComputeCapabilityMinor: *value = 0; break;
  case cudaDevAttrMaxSharedMemoryPerMultiprocessor: *value = kSharedPerSm; break;
  case cudaDevAttrMaxSharedMemoryPerBlockOptin: *value = kSharedOptin; break;
  default: return refuse(cudaErrorInvalidValue, "cudaDeviceGetAttribute: attribute %d is not emulated", (int)attr);
  }
  return cudaSuccess;
}

cudaError_t cudaSetDevice(int device) {
  if (cudaError_t e = check_device(device, "cudaSetDevice")) return e;
  current_device = device;
  return cudaSuccess;
}

cudaError_t cudaGetDevice(int *device) {
  if (cudaError_t e = ready()) return e;
  *device = current_device;
  return cudaSuccess;
}

cudaError_t cudaDeviceSynchronize() { return ready(); }

cudaError_t cudaDriverGetVersion(int *version) {
  *version = cfg().init_error == cudaErrorInsufficientDriver ? 11040 : 12040;
  return cudaSuccess;
}

cudaError_t cudaRuntimeGetVersion(int *version) {
  *version = CUDART_VERSION;
  return cudaSuccess;
}

cudaError_t cudaMemGetInfo(size_t *free_bytes, size_t *total_bytes) {
  if (cudaError_t e = ready()) return e;
  std::lock_guard<std::mutex> lock(mem_lock);
  *total_bytes = kGlobalMem;
  *free_bytes = kGlobalMem - used_by_device[current_device];
  return cudaSuccess;
}

/* ---- memory ----------------------------------------------------------------- */

cudaError_t cudaMalloc(void **ptr, size_t bytes) { return allocate(ptr, bytes); }
cudaError_t cudaFree(void *ptr) { return release(ptr, "cudaFree"); }

cudaError_t cudaMallocAsync(void **ptr, size_t bytes, cudaStream_t stream) {
  if (cudaError_t e = check_stream(stream, false, "cudaMallocAsync")) return e;
  return allocate(ptr, bytes);
}

cudaError_t cudaFreeAsync(void *ptr, cudaStream_t stream) {
  if (cudaError_t e = check_stream(stream, false, "cudaFreeAsync")) return e;
  return release(ptr, "cudaFreeAsync");
}

cudaError_t cudaMemcpy(void *dst, const void *src, size_t bytes, cudaMemcpyKind kind) {
  return copy(dst, src, bytes, kind, "cudaMemcpy");
}

cudaError_t cudaMemcpyAsync(void *dst, const void *src, size_t bytes, cudaMemcpyKind kind, cudaStream_t stream) {
  if (cudaError_t e = check_stream(stream, false, "cudaMemcpyAsync")) return e;
  return copy(dst, src, bytes, kind, "cudaMemcpyAsync");
}

cudaError_t cudaMemset(void *dst, int value, size_t bytes) { return fill(dst, value, bytes, "cudaMemset"); }

cudaError_t cudaMemsetAsync(void *dst, int value, size_t bytes, cudaStream_t stream) {
  if (cudaError_t e = check_stream(stream, false, "cudaMemsetAsync")) return e;
  return fill(dst, value, bytes, "cudaMemsetAsync");
}

/* ---- streams and events ----------------------------------------------------- */

cudaError_t cudaStreamCreate(cudaStream_t *stream) { return cudaStreamCreateWithFlags(stream, cudaStreamDefault); }

cudaError_t cudaStreamCreateWithFlags(cudaStream_t *stream, unsigned int flags) {
  if (cudaError_t e = ready()) return e;
  std::lock_guard<std::mutex> lock(handle_lock);
  *stream = new tw_emu_stream{current_device, flags};
  streams.insert(*stream);
  return cudaSuccess;
}

cudaError_t cudaStreamDestroy(cudaStream_t stream) {
  if (cudaError_t e = ready()) return e;
  if (!stream) return refuse(cudaErrorInvalidResourceHandle, "cudaStreamDestroy of the default stream");
  if (cudaError_t e = check_stream(stream, false, "cudaStreamDestroy")) return e;
  std::lock_guard<std::mutex> lock(handle_lock);
  streams.erase(stream);
  delete stream;
  return cudaSuccess;
}

cudaError_t cudaStreamSynchronize(cudaStream_t stream) {
  if (cudaError_t e = ready()) return e;
  return check_stream(stream, false, "cudaStreamSynchronize");
}

cudaError_t cudaStreamWaitEvent(cudaStream_t stream, cudaEvent_t event, unsigned int flags) {
  if (cudaError_t e = ready()) return e;
  if (cudaError_t e = check_stream(stream, false, "cudaStreamWaitEvent")) return e;
  return check_event(event, "cudaStreamWaitEvent");
}

cudaError_t cudaEventCreate(cudaEvent_t *event) { return cudaEventCreateWithFlags(event, cudaEventDefault); }

cudaError_t cudaEventCreateWithFlags(cudaEvent_t *event, unsigned int flags) {
  if (cudaError_t e = ready()) return e;
  std::lock_guard<std::mutex> lock(handle_lock);
  *event = new tw_emu_event{flags, false, 0.0};
  events.insert(*event);
  return cudaSuccess;
}

cudaError_t cudaEventDestroy(cudaEvent_t event) {
  if (cudaError_t e = ready()) return e;
  if (cudaError_t e = check_event(event, "cudaEventDestroy")) return e;
  std::lock_guard<std::mutex> lock(handle_lock);
  events.erase(event);
  delete event;
  return cudaSuccess;
}

cudaError_t cudaEventRecord(cudaEvent_t event, cudaStream_t stream) {
  if (cudaError_t e = ready()) return e;
  if (cudaError_t e = check_stream(stream, false, "cudaEventRecord")) return e;
  if (cudaError_t e = check_event(event, "cudaEventRecord")) return e;
  event->recorded = true;
  event->ms = now_ms();
  return cudaSuccess;
}

cudaError_t cudaEventSynchronize(cudaEvent_t event) {
  if (cudaError_t e = ready()) return e;
  return check_event(event, "cudaEventSynchronize");
}

cudaError_t cudaEventQuery(cudaEvent_t event) {
  if (cudaError_t e = ready()) return e;
  return check_event(event, "cudaEventQuery");
}

cudaError_t cudaEventElapsedTime(float *ms, cudaEvent_t start, cudaEvent_t end) {
  if (cudaError_t e = ready()) return e;
  if (cudaError_t e = check_event(start, "cudaEventElapsedTime")) return e;
  if (cudaError_t e = check_event(end, "cudaEventElapsedTime")) return e;
  if ((start->flags | end->flags) & cudaEventDisableTiming)
    return refuse(cudaErrorInvalidResourceHandle, "cudaEventElapsedTime: an event made without timing");
  if (!start->recorded || !end->recorded) return record(cudaErrorNotReady);
  *ms = (float)(end->ms - start->ms);
  return cudaSuccess;
}
