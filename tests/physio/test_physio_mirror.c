/*
** test_physio_mirror.c: a physiology batch mirrored on a backend (unit).
**
** On the CPU backend the mirror must be the host batch itself (same pointers, no
** allocation) and follow a host pointer that moves. On a device backend it must
** own arrays of its own: this test builds a stand-in device backend from the CPU
** one (device kind CUDA, host memory, counting its allocations and copies, the
** CPU physiology table in its family slot), pushes 30 t1d twins, advances them a
** day an hour at a time through tw_physio_ops_for on the mirror, pulls the state
** back each hour and requires it bit-identical to the same batch advanced in
** place on the CPU; every allocation is freed, and pulling anything but the
** state is refused.
*/
#include <stdlib.h> /* calloc, free */
#include <string.h> /* memcmp, memcpy */

#include "backend/backend.h"          /* tw_backend_open */
#include "physio/physio_ops.h"        /* tw_physio_ops_for, tw_physio_ops_cpu */
#include "physio/physio_ops_mirror.h" /* the mirror under test */
#include "t1d_fixture.h"              /* fixture_patients */
#include "tw_test.h"

#define NT FIX_PATIENTS

static int live_allocs, copies;
static tw_status (*cpu_alloc)(tw_backend *, size_t, void **);
static tw_status (*cpu_free)(tw_backend *, void *);
static tw_status (*cpu_copy)(tw_backend *, void *, const void *, size_t, tw_copy_kind);

static tw_status fake_alloc(tw_backend *be, size_t bytes, void **p) {
  ++live_allocs;
  return cpu_alloc(be, bytes, p);
}
static tw_status fake_free(tw_backend *be, void *p) {
  --live_allocs;
  return cpu_free(be, p);
}
static tw_status fake_copy(tw_backend *be, void *dst, const void *src, size_t bytes, tw_copy_kind kind) {
  ++copies;
  return cpu_copy(be, dst, src, bytes, kind);
}

/* The CPU backend dressed as a device: the mirror must copy to and from it. */
static tw_status fake_device(tw_backend **out) {
  TW_TRY(tw_backend_open("cpu", 0, out));
  tw_backend *be = *out;
  cpu_alloc = be->alloc, cpu_free = be->free, cpu_copy = be->copy;
  be->alloc = fake_alloc, be->free = fake_free, be->copy = fake_copy;
  be->device.kind = TW_DEVICE_CUDA;
  be->family[TW_FAMILY_PHYSIO] = &tw_physio_ops_cpu;
  return TW_OK;
}

/* A float64 t1d batch of the 30 reference patients with an hour of basal inputs. */
typedef struct host_arrays {
  double x[TW_T1D_NSTATES * NT], d[TW_T1D_NDISC * NT], p[TW_T1D_NPARAMS * NT], u[60 * TW_T1D_NINPUTS * NT], h[NT];
  int32_t flag[NT];
  tw_physio_batch b;
} host_arrays;

static tw_status host_make(const tw_model *m, host_arrays *a) {
  double params[NT * TW_T1D_NPARAMS];
  TW_TRY(fixture_patients(params));
  memset(a, 0, sizeof *a);
  for (int i = 0; i < NT; ++i) {
    double x[TW_T1D_NSTATES], d[TW_T1D_NDISC];
    const double *pi = params + i * TW_T1D_NPARAMS;
    tw_model_init_twin_f64(m, pi, x, d);
    for (int k = 0; k < TW_T1D_NSTATES; ++k) a->x[k * NT + i] = x[k];
    for (int k = 0; k < TW_T1D_NDISC; ++k) a->d[k * NT + i] = d[k];
    for (int k = 0; k < TW_T1D_NPARAMS; ++k) a->p[k * NT + i] = pi[k];
    for (int mm = 0; mm < 60; ++mm) a->u[(mm * TW_T1D_NINPUTS + TW_T1D_U_INSULIN) * NT + i] = pi[TW_T1D_P_u2ss] * pi[TW_T1D_P_BW] / 6000.0;
  }
  a->b = (tw_physio_batch){TW_F64, NT, NT, 0, a->x, a->p, a->d, a->u, a->flag, tw_integrator_defaults(TW_INTEG_DOPRI5), a->h};
  return TW_OK;
}

static tw_model t1d_model(void) {
  tw_model m;
  tw_model_init(&m);
  (void)tw_model_add_pack(&m, &tw_pack_t1d, NULL);
  return m;
}

static void test_host_backend_is_the_batch(void) {
  tw_model m = t1d_model();
  static host_arrays a;
  CHECK_OK(host_make(&m, &a));
  tw_backend *cpu = NULL;
  CHECK_OK(tw_backend_open("cpu", 0, &cpu));
  tw_physio_mirror mr;
  CHECK_OK(tw_physio_mirror_create(cpu, &m, &a.b, 60, &mr));
  CHECK(!mr.owned && mr.dev.x == a.x && mr.dev.u == a.u && mr.dev.flag == a.flag);
  static double u2[60 * TW_T1D_NINPUTS * NT];
  a.b.u = u2; /* the engine moves its inputs pointer between blocks */
  CHECK_OK(tw_physio_mirror_push(cpu, &mr, TW_MIRROR_INPUTS));
  CHECK(mr.dev.u == u2);
  tw_physio_mirror_destroy(cpu, &mr);
  tw_backend_close(cpu);
}

static void test_device_round_trip(void) {
  tw_model m = t1d_model();
  static host_arrays a, ref;
  CHECK_OK(host_make(&m, &a));
  ref = a;
  ref.b = (tw_physio_batch){TW_F64, NT, NT, 0, ref.x, ref.p, ref.d, ref.u, ref.flag, a.b.opts, ref.h};
  tw_backend *cpu = NULL, *dev = NULL;
  CHECK_OK(tw_backend_open("cpu", 0, &cpu));
  CHECK_OK(fake_device(&dev));
  live_allocs = copies = 0;
  tw_physio_mirror mr;
  CHECK_OK(tw_physio_mirror_create(dev, &m, &a.b, 60, &mr));
  CHECK_EQ_INT(live_allocs, 6); /* x, d, h, flag, p, u */
  CHECK(mr.owned && mr.dev.x != a.x && mr.dev.u != a.u && mr.dev.p != a.p);
  CHECK_OK(tw_physio_mirror_push(dev, &mr, TW_MIRROR_ALL));
  CHECK_EQ_INT(copies, 6);
  static double x0[TW_T1D_NSTATES * NT];
  memcpy(x0, a.x, sizeof x0);
  memset(a.x, 0, sizeof a.x); /* the host copy is stale until pulled */
  int same = 1;
  for (int hour = 0; hour < 24; ++hour) {
    CHECK_OK(tw_physio_mirror_push(dev, &mr, TW_MIRROR_INPUTS));
    CHECK_OK(tw_physio_ops_for(dev)->advance(dev, &m, &mr.dev, hour * 60, 60));
    CHECK_OK(tw_physio_ops_for(cpu)->advance(cpu, &m, &ref.b, hour * 60, 60));
    CHECK_OK(tw_physio_mirror_pull(dev, &mr, TW_MIRROR_STATE));
    same &= !memcmp(a.x, ref.x, sizeof a.x) && !memcmp(a.d, ref.d, sizeof a.d) && !memcmp(a.h, ref.h, sizeof a.h);
  }
  CHECK_MSG(same, "the mirrored state differs from the state advanced in place");
  CHECK_MSG(memcmp(a.x, x0, sizeof x0) != 0, "a day of basal insulin left every state where it was");
  CHECK_STATUS(tw_physio_mirror_pull(dev, &mr, TW_MIRROR_PARAMS), TW_ERR_INTERNAL);
  tw_error_clear();
  tw_physio_mirror_destroy(dev, &mr);
  CHECK_EQ_INT(live_allocs, 0);
  tw_backend_close(dev);
  tw_backend_close(cpu);
}

int main(void) {
  TW_TEST_RUN(test_host_backend_is_the_batch);
  TW_TEST_RUN(test_device_round_trip);
  return TW_TEST_RESULT();
}
