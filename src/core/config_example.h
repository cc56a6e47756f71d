/*
** config_example.h: the `example` config kind, a small config that uses every
** field type of the schema API (config.h).
**
** It is the worked example of docs/configs.md and configs/example.yaml, the
** config the README checks before any engine exists, and the schema the loader
** tests and the fuzzer bind against. No command runs it: `twinscale config
** check` validates it and prints it normalised, nothing more.
*/
#ifndef TW_CONFIG_EXAMPLE_H
#define TW_CONFIG_EXAMPLE_H

#include <stdint.h> /* int64_t */

#include "core/config.h" /* tw_cfg_schema, tw_cfg_mark */

TW_EXTERN_C_BEGIN

typedef struct tw_example_meal {
  tw_cfg_mark mark;
  double time_min; /* required, [0, 1e6] min */
  double carbs_g;  /* required, [0, 500] g */
} tw_example_meal;

typedef struct tw_example_output {
  tw_cfg_mark mark;
  char *path;        /* default "out.h5" */
  int64_t every_min; /* default 5, [1, 1440] */
} tw_example_output;

/* The kinds of a distribution (a tagged union, TW_CFG_UNION). */
typedef struct tw_example_lognormal {
  tw_cfg_mark mark;
  double median; /* required, [0, 1e6] */
  double cv;     /* default 0.2, [0, 10] */
} tw_example_lognormal;

typedef struct tw_example_uniform {
  tw_cfg_mark mark;
  double lo, hi; /* required, lo < hi */
} tw_example_uniform;

typedef struct tw_example_normal {
  tw_cfg_mark mark;
  double mean; /* required */
  double sd;   /* default 1, [0, 1e6] */
} tw_example_normal;

typedef struct tw_example_empirical {
  tw_cfg_mark mark;
  double *values; /* NUMBER_LIST, required, 1 to 1000 values: a list inside a union */
  int n_values;
} tw_example_empirical;

typedef enum tw_example_dist_kind {
  TW_EXAMPLE_LOGNORMAL,
  TW_EXAMPLE_UNIFORM,
  TW_EXAMPLE_NORMAL,
  TW_EXAMPLE_EMPIRICAL
} tw_example_dist_kind;

/* One distribution: the tag and the chosen kind's struct in a C union. */
typedef struct tw_example_distribution {
  tw_cfg_mark mark; /* set where it is a list element */
  int kind;         /* tw_example_dist_kind */
  union {
    tw_example_lognormal lognormal;
    tw_example_uniform uniform;
    tw_example_normal normal;
    tw_example_empirical empirical;
  } as;
} tw_example_distribution;

typedef struct tw_example_variability {
  tw_cfg_mark mark;
  double *cv;                /* NUMBER_LIST, default [], each in [0, 10] */
  int n_cv;
  tw_cfg_mark *cv_marks;     /* one mark per element */
  double *correlation_row;   /* NUMBER_LIST, optional, exactly 3, each in [-1, 1] */
  int n_correlation_row;
} tw_example_variability;

typedef enum tw_example_precision { TW_EXAMPLE_FLOAT32, TW_EXAMPLE_FLOAT64 } tw_example_precision;

typedef struct tw_example_config {
  tw_cfg_mark mark;
  char *name;                   /* STRING, required */
  int enabled;                  /* BOOL, default true */
  int64_t twins;                /* INT, default 1, [1, 1e9] */
  double basal_u_per_h;         /* NUMBER, default reference, [0, 100] U/h */
  int basal_is_reference;       /* set when basal_u_per_h says `reference` */
  int precision;                /* ENUM tw_example_precision, default float64 */
  char **patients;              /* STRING_LIST, default [] */
  int n_patients;
  tw_cfg_mark *patient_marks;   /* one mark per patient, for later checks */
  tw_example_output output;     /* MAP, default {} */
  tw_example_meal *meals;       /* LIST, default []; checked to be in time order */
  int n_meals;
  char *note;                   /* STRING, optional without default: left out when absent */
  tw_example_variability variability; /* MAP of NUMBER_LISTs, default {} */
  tw_example_distribution distribution; /* UNION, default {kind: normal, mean: 70, sd: 10} */
  tw_example_distribution *covariates;  /* LIST of unions, default [] */
  int n_covariates;
} tw_example_config;

extern const tw_cfg_schema tw_example_config_schema;

TW_EXTERN_C_END

#endif
