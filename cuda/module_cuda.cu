/*
** module_cuda.cu: the table libtwinscale_cuda.so hands to the program that
** loads it (src/backend/backend_module.c), and the one place where the CUDA
** backend meets the kernel families.
**
** The backend layer knows families by id only, so the module fills the new
** backend's slots with its families' CUDA tables here; the families read them
** back through tw_physio_ops_for, tw_nn_ops_for and tw_gan_ops_for. The module links no
** libtwinscale: what it calls of the library resolves to the executable's copy.
*/
#include "backend/backend.h" /* tw_cuda_module_api, TW_FAMILY_* */
#include "backend_cuda.h"    /* tw_backend_cuda_create, tw_cuda_device_count, tw_cuda_describe */
#include "gan_ops_cuda.h"    /* tw_gan_ops_cuda */
#include "nn_ops_cuda.h"     /* tw_nn_ops_cuda */
#include "physio/physio_ops.h" /* tw_physio_ops_cuda */

static tw_status module_create(int device_index, tw_backend **out) {
  TW_TRY(tw_backend_cuda_create(device_index, out));
  (*out)->family[TW_FAMILY_PHYSIO] = &tw_physio_ops_cuda; /* cuda/physio_cuda.cu */
  (*out)->family[TW_FAMILY_NN] = &tw_nn_ops_cuda;         /* cuda/nn_ops_cuda.cu */
  (*out)->family[TW_FAMILY_GAN] = &tw_gan_ops_cuda;       /* cuda/gan_ops_cuda.cu */
  return TW_OK;
}

/* dlsym(TW_CUDA_MODULE_SYMBOL) finds this; default visibility, C linkage. */
extern "C" __attribute__((visibility("default"))) const tw_cuda_module_api tw_cuda_module = {
    TW_CUDA_MODULE_ABI, module_create, tw_cuda_device_count, tw_cuda_describe};
