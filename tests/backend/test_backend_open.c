/*
** test_backend_open.c: choosing a backend by name (unit; any machine).
**
** Checks that "cpu" opens the CPU with each family's CPU table; that an unknown
** name is refused naming the choices; that the probe agrees with the device
** count; that "auto" picks CUDA exactly when the probe finds a device and says
** why otherwise; and that "cuda" without a device is TW_ERR_UNSUPPORTED with a
** one-line message. With a GPU, the CUDA backend's family slots hold the module's
** tables, and a model without a CUDA kernel is refused naming the model.
*/
#include <string.h> /* strchr, strstr, strncmp */

#include "backend/backend.h"   /* tw_backend_open, tw_backend_cuda_probe */
#include "nn/nn_ops.h"         /* tw_nn_ops_for, tw_nn_ops_cpu */
#include "physio/pack.h"       /* tw_model, tw_pack_find */
#include "physio/physio_ops.h" /* tw_physio_ops_for, tw_physio_ops_cpu */
#include "tw_test.h"

static int n_devices; /* from the probe in main */

static void test_cpu_has_cpu_tables(void) {
  tw_backend *be = NULL;
  CHECK_OK(tw_backend_open("cpu", 0, &be));
  CHECK_EQ_STR(be->name, "cpu");
  CHECK_EQ_STR(be->why, "asked for");
  CHECK(be->device.kind == TW_DEVICE_HOST);
  CHECK(tw_physio_ops_for(be) == &tw_physio_ops_cpu);
  CHECK(tw_nn_ops_for(be) == &tw_nn_ops_cpu);
  tw_backend_close(be);
}

static void test_unknown_name(void) {
  tw_backend *be = NULL;
  CHECK_STATUS(tw_backend_open("gpu", 0, &be), TW_ERR_INPUT);
  CHECK(be == NULL);
  CHECK(strstr(tw_error_message(), "'gpu' (expected auto, cpu or cuda)") != NULL);
  tw_error_clear();
  CHECK_OK(tw_backend_name_check("auto"));
}

static void test_auto_follows_probe(void) {
  tw_backend *be = NULL;
  CHECK_OK(tw_backend_open("auto", 0, &be));
  CHECK_EQ_STR(be->name, n_devices > 0 ? "cuda" : "cpu");
  CHECK_MSG(be->why[0] != '\0', "auto gave no reason");
  if (n_devices > 0) CHECK_MSG(!strncmp(be->why, "0: ", 3), "why: '%s'", be->why);
  tw_backend_close(be);
}

static void test_cuda_without_device_is_one_line(void) {
  if (n_devices > 0) return; /* covered by test_cuda_tables */
  tw_backend *be = NULL;
  CHECK_STATUS(tw_backend_open("cuda", 0, &be), TW_ERR_UNSUPPORTED);
  CHECK(be == NULL);
  const char *msg = tw_error_message();
  CHECK_MSG(strchr(msg, '\n') == NULL && strstr(msg, "backend 'cuda' requested but"), "message: '%s'", msg);
  tw_error_clear();
}

static void test_cuda_tables(void) {
  if (n_devices == 0) return;
  tw_backend *be = NULL;
  CHECK_OK(tw_backend_open("cuda", 0, &be));
  CHECK(tw_physio_ops_for(be) != NULL && tw_physio_ops_for(be) != &tw_physio_ops_cpu);
  CHECK(tw_nn_ops_for(be) != NULL && tw_nn_ops_for(be) != &tw_nn_ops_cpu);
  /* a two-pack model has no CUDA kernel: refused, naming it */
  tw_model m;
  tw_model_init(&m);
  CHECK_OK(tw_model_add_pack(&m, tw_pack_find("pbpk"), NULL));
  CHECK_OK(tw_model_add_pack(&m, tw_pack_find("t1d"), NULL));
  tw_physio_batch b;
  memset(&b, 0, sizeof b);
  CHECK_STATUS(tw_physio_ops_for(be)->advance(be, &m, &b, 0, 1), TW_ERR_UNSUPPORTED);
  CHECK_MSG(strstr(tw_error_message(), "'pbpk + t1d'") != NULL, "message: '%s'", tw_error_message());
  tw_error_clear();
  tw_backend_close(be);
}

int main(void) {
  char why[512];
  if (tw_backend_cuda_probe_why(&n_devices, why, sizeof why) != TW_OK) {
    fprintf(stderr, "FAIL: the CUDA probe failed: %s\n", tw_error_message());
    return 1;
  }
  fprintf(stderr, "probe: %d device(s); %s\n", n_devices, why);
  TW_TEST_RUN(test_cpu_has_cpu_tables);
  TW_TEST_RUN(test_unknown_name);
  TW_TEST_RUN(test_auto_follows_probe);
  TW_TEST_RUN(test_cuda_without_device_is_one_line);
  TW_TEST_RUN(test_cuda_tables);
  return TW_TEST_RESULT();
}
