/*
** backend.h: the table through which every kernel runs on CPU or GPU.
**
** Orchestration code (simulation, training, trials) holds a tw_backend and never
** asks which one it is: memory, copies, synchronisation, GEMM and the kernel
** families all go through these pointers. The CPU backend (backend_cpu.c) is the
** reference; the CUDA backend (cuda/backend_cuda.cu) mirrors it entry by entry.
**
** Conventions shared by all entries:
**   - pointers passed to an entry live on the backend's device (alloc'd by it);
**   - matrices are row-major, as in the rest of twinscale and in PyTorch;
**   - work may be asynchronous: results are visible on the host after a copy to
**     the host or synchronize().
**
** Kernel families (physiology, neural twin) own their op tables and their types
** in their own headers; this layer knows only a family's id. A backend carries
** one untyped slot per family (tw_backend.family), which each family reads back
** through its own lookup (tw_physio_ops_for, tw_nn_ops_for): the CPU backend
** leaves the slots empty (each family knows its CPU table), the CUDA module fills
** them with its tables. So src/backend/ includes no engine.
**
** The CUDA backend lives in a module, libtwinscale_cuda.so, loaded with dlopen
** only when "cuda" is asked for or "auto" finds a GPU (backend_module.c), so a
** CPU run never maps the CUDA libraries. The module is looked for next to the
** executable, then at $TWINSCALE_CUDA_MODULE (docs/gpu.md).
*/
#ifndef TW_BACKEND_H
#define TW_BACKEND_H

#include "core/status.h" /* tw_status */
#include "core/tensor.h" /* tw_dtype, tw_device */

TW_EXTERN_C_BEGIN

typedef enum tw_copy_kind {
  TW_COPY_HOST_TO_DEVICE,
  TW_COPY_DEVICE_TO_HOST,
  TW_COPY_DEVICE_TO_DEVICE
} tw_copy_kind;

/* Precision of the matrix units for float32 GEMM. FP32 is the default; TF32 and
** BF16 are opt-in (CUDA only; the CPU backend computes FP32 whatever is asked). */
typedef enum tw_math_mode { TW_MATH_FP32, TW_MATH_TF32, TW_MATH_BF16 } tw_math_mode;

/* C_i = alpha * op(A_i) * op(B_i) + beta * C_i for i in [0, batch), row-major,
** op(A_i) is (m,k), op(B_i) is (k,n), C_i is (m,n); X_i = X + i * stride_x.
** A stride of 0 shares one matrix across the batch. */
typedef struct tw_gemm_batch {
  tw_dtype dtype; /* TW_F32 or TW_F64 */
  int trans_a, trans_b;
  int m, n, k;
  double alpha, beta;
  const void *a; int64_t lda, stride_a;
  const void *b; int64_t ldb, stride_b;
  void *c;       int64_t ldc, stride_c;
  int batch;
} tw_gemm_batch;

/* Kernel families: the index of each one's slot in tw_backend.family. The table
** types live with the families (src/physio/physio_ops.h, src/nn/nn_ops.h,
** src/gan/nets_ops.h). */
typedef enum tw_family { TW_FAMILY_PHYSIO = 0, TW_FAMILY_NN = 1, TW_FAMILY_GAN = 2, TW_FAMILY_COUNT } tw_family;

/* Bytes of a device communicator's name (comm_id): NCCL's ncclUniqueId. */
#define TW_COMM_ID_BYTES 128

typedef struct tw_backend tw_backend;
struct tw_backend {
  const char *name;  /* "cpu" or "cuda" */
  tw_device device;
  tw_math_mode math_mode;
  void *impl;        /* the backend's private state (cuBLAS handle, stream, ...) */

  tw_status (*alloc)(tw_backend *be, size_t bytes, void **ptr);
  tw_status (*free)(tw_backend *be, void *ptr);
  tw_status (*copy)(tw_backend *be, void *dst, const void *src, size_t bytes, tw_copy_kind kind);
  tw_status (*fill_bytes)(tw_backend *be, void *dst, int byte, size_t bytes);
  tw_status (*synchronize)(tw_backend *be);
  tw_status (*gemm)(tw_backend *be, const tw_gemm_batch *g);
  /* What computes gemm, into buf (cap bytes): "OpenBLAS 0.3.21 ... Cooperlake
  ** ..." (the library's own line, with the CPU core it chose), "reference GEMM"
  ** or "cuBLAS 130000". Another kernel sums in another order, and a training
  ** carries the last bit into another model: a model file records this line
  ** (root attribute `gemm`) beside its commit. Loads OpenBLAS if not yet. */
  void (*gemm_kernel)(tw_backend *be, char *buf, size_t cap);
  void (*destroy)(tw_backend *be); /* also leaves and frees the communicator, if any */

  /* Collectives between the devices of a job's ranks, one communicator per
  ** backend (NCCL on CUDA); NULL on a backend without them (the CPU backend, a
  ** CUDA build without NCCL), where callers go through the host and MPI
  ** (mpi/dist.h). One process, one backend, one device per rank; the ranks'
  ** devices must differ (NCCL refuses two ranks on one GPU).
  **   comm_id    on one rank (0): fills id (TW_COMM_ID_BYTES) with a fresh
  **              name for a communicator, to be sent to every rank (tw_dist_bcast);
  **   comm_init  on every rank at once (a collective: it blocks until all `size`
  **              ranks have called it, so agree on going there first): joins the
  **              communicator named by id as rank `rank`, on the backend's device
  **              and stream; once per backend;
  **   allgather  recv (size * bytes) receives every rank's send (bytes) in rank
  **              order; send may be recv + rank * bytes (in place). Queued on the
  **              backend's stream after the work already there, like a kernel;
  **              the same bytes on every rank. */
  tw_status (*comm_id)(tw_backend *be, void *id);
  tw_status (*comm_init)(tw_backend *be, const void *id, int rank, int size);
  tw_status (*allgather)(tw_backend *be, const void *send, void *recv, size_t bytes);

  /* Each family's op table on this backend, read through the family's lookup;
  ** NULL: the family's CPU table (host backends) or none (the family has no
  ** kernels on this backend). */
  const void *family[TW_FAMILY_COUNT];
  /* Why this backend was chosen, for "backend: cpu (no CUDA device visible)":
  ** the device ("0: NVIDIA H100 80GB HBM3, 79.1 GiB, sm_90"), "asked for", or
  ** why "auto" fell back to the CPU. Filled by tw_backend_open. */
  char why[256];
};

/* Family slot `f` of `be`, or `host_table` (the family's CPU table) when a host
** backend leaves it empty; NULL when the backend has no kernels of the family.
** Each family's typed lookup (tw_physio_ops_for, tw_nn_ops_for) is this call. */
static inline const void *tw_backend_family(const tw_backend *be, tw_family f, const void *host_table) {
  if (be->family[f]) return be->family[f];
  return be->device.kind == TW_DEVICE_HOST ? host_table : NULL;
}

/* Opens a backend by name on device `device_index` (ignored for the CPU):
**   "cpu"   the CPU backend;
**   "cuda"  the CUDA backend: TW_ERR_UNSUPPORTED, with one line saying why, in a
**           build without CUDA, when the module cannot be loaded (its path and
**           dlerror()), or when no device is visible;
**   "auto"  "cuda" when tw_backend_cuda_probe finds a device, else "cpu"; a
**           CUDA error in the probe falls back to the CPU too, with the error in
**           (*out)->why (and a warning in the log).
** (*out)->why says which and why. Anything else is TW_ERR_INPUT. */
tw_status tw_backend_open(const char *name, int device_index, tw_backend **out);
void tw_backend_close(tw_backend *be);
/* Checks a backend name ("auto", "cpu", "cuda") without opening anything:
** TW_ERR_INPUT naming the choices otherwise. */
tw_status tw_backend_name_check(const char *name);

/* The CUDA device a process should use when `local_rank` processes share a node:
** local_rank modulo the number of visible devices. -1 when there are none. */
int tw_backend_device_for_local_rank(int local_rank);

/* How many CUDA devices are visible, without failing on a machine that has none:
**   TW_OK, *n_devices = 0  the build has no CUDA, the module is absent (no file
**                          at any place it is looked for), the driver
**                          (libcuda.so.1) cannot be loaded, or the runtime
**                          reports cudaErrorNoDevice;
**   TW_OK, *n_devices > 0  that many devices;
**   an error status        any other CUDA error (cudaErrorInsufficientDriver with
**                          a driver present: a driver too old for the toolkit),
**                          the message carrying the CUDA error's name and text;
**                          or, with a driver, a module that is there but does
**                          not load (a missing libcudnn, an ABI mismatch).
** Loads the CUDA module only when the driver is there. */
tw_status tw_backend_cuda_probe(int *n_devices);
/* The same; `why` (cap bytes, may be NULL) receives what the probe found, e.g.
** "no CUDA driver (libcuda.so.1: cannot open shared object file ...)". */
tw_status tw_backend_cuda_probe_why(int *n_devices, char *why, size_t cap);

/* Number of CUDA devices visible: the probe's count, 0 on a probe error (which
** is logged at debug level and cleared). For reports (`twinscale version`);
** tests and backend choice use tw_backend_cuda_probe. */
int tw_backend_cuda_device_count(void);
/* One line per visible CUDA device ("0: NVIDIA H100 80GB HBM3, 79.1 GiB, sm_90"),
** written into buf; "" when there are none. */
void tw_backend_cuda_describe(char *buf, size_t cap);

/* Checks the arguments of a GEMM (sizes, leading dimensions); shared by backends. */
tw_status tw_gemm_validate(const tw_gemm_batch *g);

/* The CPU constructor, called by tw_backend_open. */
tw_status tw_backend_cpu_create(tw_backend **out);

/* What the CUDA module (cuda/module_cuda.cu) exports, as one table named
** TW_CUDA_MODULE_SYMBOL; backend_module.c refuses a module whose abi differs. */
#define TW_CUDA_MODULE_ABI 3 /* 2: tw_backend gained comm_id, comm_init, allgather; 3: the GAN family slot */
#define TW_CUDA_MODULE_SYMBOL "tw_cuda_module"
#define TW_CUDA_MODULE_FILE "libtwinscale_cuda.so"
typedef struct tw_cuda_module_api {
  int abi; /* TW_CUDA_MODULE_ABI */
  /* The CUDA backend on device `device_index`, its family slots filled. */
  tw_status (*create)(int device_index, tw_backend **out);
  /* cudaGetDeviceCount: TW_OK with the count (0 for cudaErrorNoDevice), or
  ** TW_ERR_LIBRARY with the CUDA error name and text. */
  tw_status (*device_count)(int *n);
  /* One line per device, as tw_backend_cuda_describe. */
  void (*describe)(char *buf, size_t cap);
} tw_cuda_module_api;

/* The loaded module's table (loading it on first use), or TW_ERR_UNSUPPORTED
** naming each path tried and dlerror() (backend_module.c). */
tw_status tw_cuda_module_get(const tw_cuda_module_api **api);
/* Whether the CUDA driver (libcuda.so.1) can be loaded; why not, in `why`. */
int tw_cuda_driver_present(char *why, size_t cap);
/* Whether a module file exists at any place tw_cuda_module_get looks. */
int tw_cuda_module_file_exists(void);
/* True in the CUDA emulator's library (tests/cuda_emu): the emulated module is
** linked into the program, so nothing is loaded and no driver is looked for. */
int tw_cuda_module_linked_in(void);

TW_EXTERN_C_END

#endif
