/*
** train_config.c: the schema of the `train` config kind (train_config.h) and
** its cross-field checks: a group that divides the batch, a schedule that
** fits the steps, a learning rate above zero.
*/
#include "train/train_config.h"

#include <string.h> /* strlen */

static const tw_cfg_field data_fields[] = {
    {.key = "files", .type = TW_CFG_STRING_LIST, .offset = offsetof(tw_train_data_cfg, files),
     .count_offset = offsetof(tw_train_data_cfg, n_files), .required = 1,
     .doc = "simulate results written with output.states: true (relative to this file)"},
    {.key = "validation_fraction", .type = TW_CFG_NUMBER, .offset = offsetof(tw_train_data_cfg, validation_fraction),
     .default_text = "0.1", .has_range = 1, .min = 0, .max = 0.9,
     .doc = "share of the twins held out for validation, drawn by twin from the seed"},
};
static const tw_cfg_schema data_schema = TW_CFG_SCHEMA(tw_train_data_cfg, data_fields, NULL);

static const tw_cfg_field model_fields[] = {
    {.key = "H", .type = TW_CFG_INT, .offset = offsetof(tw_train_model_cfg, H), .default_text = "64", .has_range = 1,
     .min = 1, .max = 4096, .doc = "GNN width"},
    {.key = "Hr", .type = TW_CFG_INT, .offset = offsetof(tw_train_model_cfg, Hr), .default_text = "64",
     .has_range = 1, .min = 1, .max = 4096, .doc = "LSTM width"},
    {.key = "L", .type = TW_CFG_INT, .offset = offsetof(tw_train_model_cfg, L), .default_text = "2", .has_range = 1,
     .min = 1, .max = 16, .doc = "GNN layers"},
    {.key = "M", .type = TW_CFG_INT, .offset = offsetof(tw_train_model_cfg, M), .default_text = "64", .has_range = 1,
     .min = 1, .max = 4096, .doc = "head width"},
};
static const tw_cfg_schema model_schema = TW_CFG_SCHEMA(tw_train_model_cfg, model_fields, NULL);

static const tw_cfg_field window_fields[] = {
    {.key = "context", .type = TW_CFG_INT, .offset = offsetof(tw_train_window_cfg, context), .default_text = "12",
     .has_range = 1, .min = 1, .max = 100000, .unit = "steps",
     .doc = "steps fed the true state before the horizon (the LSTM's warm-up)"},
    {.key = "horizon", .type = TW_CFG_INT, .offset = offsetof(tw_train_window_cfg, horizon), .default_text = "24",
     .has_range = 1, .min = 1, .max = 100000, .unit = "steps",
     .doc = "steps after the context; under rollout they are fed the model's own state"},
    {.key = "stride", .type = TW_CFG_INT, .offset = offsetof(tw_train_window_cfg, stride), .default_text = "12",
     .has_range = 1, .min = 1, .max = 100000, .unit = "steps", .doc = "steps between window starts"},
};
static const tw_cfg_schema window_schema = TW_CFG_SCHEMA(tw_train_window_cfg, window_fields, NULL);

static const tw_cfg_field opt_fields[] = {
    {.key = "lr", .type = TW_CFG_NUMBER, .offset = offsetof(tw_train_opt_cfg, lr), .default_text = "3e-3",
     .has_range = 1, .min = 0, .max = 10, .doc = "peak learning rate (after warm-up), > 0"},
    {.key = "lr_min", .type = TW_CFG_NUMBER, .offset = offsetof(tw_train_opt_cfg, lr_min), .default_text = "3e-4",
     .has_range = 1, .min = 0, .max = 10, .doc = "learning rate at the end of the cosine decay"},
    {.key = "warmup", .type = TW_CFG_INT, .offset = offsetof(tw_train_opt_cfg, warmup), .default_text = "100",
     .has_range = 1, .min = 0, .max = 1e9, .unit = "steps", .doc = "linear warm-up steps"},
    {.key = "beta1", .type = TW_CFG_NUMBER, .offset = offsetof(tw_train_opt_cfg, beta1), .default_text = "0.9",
     .has_range = 1, .min = 0, .max = 0.999999, .doc = "AdamW first-moment decay"},
    {.key = "beta2", .type = TW_CFG_NUMBER, .offset = offsetof(tw_train_opt_cfg, beta2), .default_text = "0.999",
     .has_range = 1, .min = 0, .max = 0.999999, .doc = "AdamW second-moment decay"},
    {.key = "eps", .type = TW_CFG_NUMBER, .offset = offsetof(tw_train_opt_cfg, eps), .default_text = "1e-8",
     .has_range = 1, .min = 0, .max = 1, .doc = "AdamW epsilon"},
    {.key = "weight_decay", .type = TW_CFG_NUMBER, .offset = offsetof(tw_train_opt_cfg, weight_decay),
     .default_text = "0.01", .has_range = 1, .min = 0, .max = 10, .doc = "decoupled weight decay"},
    {.key = "clip", .type = TW_CFG_NUMBER, .offset = offsetof(tw_train_opt_cfg, clip), .default_text = "1",
     .has_range = 1, .min = 0, .max = 1e9, .doc = "gradient-norm clipping threshold (0: none)"},
};
static const tw_cfg_schema opt_schema = TW_CFG_SCHEMA(tw_train_opt_cfg, opt_fields, NULL);

static const tw_cfg_field batch_fields[] = {
    {.key = "windows", .type = TW_CFG_INT, .offset = offsetof(tw_train_batch_cfg, windows), .default_text = "128",
     .has_range = 1, .min = 1, .max = 1e7, .doc = "windows per optimiser step (over all ranks)"},
    {.key = "group", .type = TW_CFG_INT, .offset = offsetof(tw_train_batch_cfg, group), .default_text = "16",
     .has_range = 1, .min = 1, .max = TW_TRAIN_MAX_GROUP,
     .doc = "windows per gradient group: groups are summed in a fixed order, so results do not depend on the "
            "rank count; must divide windows"},
};
static const tw_cfg_schema batch_schema = TW_CFG_SCHEMA(tw_train_batch_cfg, batch_fields, NULL);

static const tw_cfg_field rollout_fields[] = {
    {.key = "start", .type = TW_CFG_INT, .offset = offsetof(tw_train_rollout_cfg, start), .default_text = "0",
     .has_range = 1, .min = 0, .max = 1e9, .unit = "steps", .doc = "teacher forcing only before this step"},
    {.key = "ramp", .type = TW_CFG_INT, .offset = offsetof(tw_train_rollout_cfg, ramp), .default_text = "0",
     .has_range = 1, .min = 0, .max = 1e9, .unit = "steps", .doc = "steps over which the rollout share grows to max"},
    {.key = "max", .type = TW_CFG_NUMBER, .offset = offsetof(tw_train_rollout_cfg, max), .default_text = "0",
     .has_range = 1, .min = 0, .max = 1,
     .doc = "share of windows whose horizon is fed the model's own rolled-out state (0: teacher forcing only)"},
};
static const tw_cfg_schema rollout_schema = TW_CFG_SCHEMA(tw_train_rollout_cfg, rollout_fields, NULL);

static const tw_cfg_field ckpt_fields[] = {
    {.key = "every", .type = TW_CFG_INT, .offset = offsetof(tw_train_ckpt_cfg, every), .default_text = "500",
     .has_range = 1, .min = 0, .max = 1e9, .unit = "steps", .doc = "steps between checkpoints (0: only on a signal)"},
    {.key = "path", .type = TW_CFG_STRING, .offset = offsetof(tw_train_ckpt_cfg, path),
     .doc = "checkpoint file (default: the model file's path + .ckpt)"},
};
static const tw_cfg_schema ckpt_schema = TW_CFG_SCHEMA(tw_train_ckpt_cfg, ckpt_fields, NULL);

static const tw_cfg_field output_fields[] = {
    {.key = "path", .type = TW_CFG_STRING, .offset = offsetof(tw_train_output_cfg, path), .default_text = "model.h5",
     .doc = "the model file (weights under PyTorch names, sizes, scalers, pack, training curve)"},
};
static const tw_cfg_schema output_schema = TW_CFG_SCHEMA(tw_train_output_cfg, output_fields, NULL);

static const char *const backends[] = {"auto", "cpu", "cuda", NULL};

static const tw_cfg_field train_fields[] = {
    {.key = "pack", .type = TW_CFG_STRING, .offset = offsetof(tw_train_config, pack), .required = 1,
     .doc = "the pack the data was simulated with: its organ graph and state variables shape the model"},
    {.key = "data", .type = TW_CFG_MAP, .offset = offsetof(tw_train_config, data), .sub = &data_schema,
     .required = 1, .doc = "training data"},
    {.key = "model", .type = TW_CFG_MAP, .offset = offsetof(tw_train_config, model), .sub = &model_schema,
     .default_text = "{}", .doc = "model sizes"},
    {.key = "window", .type = TW_CFG_MAP, .offset = offsetof(tw_train_config, window), .sub = &window_schema,
     .default_text = "{}", .doc = "training windows (BPTT length = context + horizon)"},
    {.key = "optimizer", .type = TW_CFG_MAP, .offset = offsetof(tw_train_config, optimizer), .sub = &opt_schema,
     .default_text = "{}", .doc = "AdamW, warm-up and cosine decay, clipping"},
    {.key = "steps", .type = TW_CFG_INT, .offset = offsetof(tw_train_config, steps), .default_text = "1000",
     .has_range = 1, .min = 1, .max = 1e9, .doc = "optimiser steps"},
    {.key = "batch", .type = TW_CFG_MAP, .offset = offsetof(tw_train_config, batch), .sub = &batch_schema,
     .default_text = "{}", .doc = "mini-batches"},
    {.key = "rollout", .type = TW_CFG_MAP, .offset = offsetof(tw_train_config, rollout), .sub = &rollout_schema,
     .default_text = "{}", .doc = "scheduled rollout (the model fed its own state over the horizon)"},
    {.key = "validate_every", .type = TW_CFG_INT, .offset = offsetof(tw_train_config, validate_every),
     .default_text = "100", .has_range = 1, .min = 0, .max = 1e9, .unit = "steps",
     .doc = "steps between validation losses on the held-out twins (0: at the end only)"},
    {.key = "checkpoint", .type = TW_CFG_MAP, .offset = offsetof(tw_train_config, checkpoint), .sub = &ckpt_schema,
     .default_text = "{}", .doc = "checkpoints for --resume"},
    {.key = "output", .type = TW_CFG_MAP, .offset = offsetof(tw_train_config, output), .sub = &output_schema,
     .default_text = "{}", .doc = "the model file"},
    {.key = "backend", .type = TW_CFG_ENUM, .offset = offsetof(tw_train_config, backend), .default_text = "auto",
     .choices = backends, .doc = "auto (a GPU when one is visible), cpu or cuda"},
    {.key = "seed", .type = TW_CFG_INT, .offset = offsetof(tw_train_config, seed), .default_text = "1",
     .has_range = 1, .min = 0, .max = 9007199254740992.0,
     .doc = "Philox key: initial weights, validation split, shuffling, rollout draws"},
};

static tw_status check_train(const tw_cfg_doc *doc, void *obj) {
  const tw_train_config *t = obj;
  if (!(t->optimizer.lr > 0))
    return tw_cfg_error_at(doc, tw_cfg_path_mark_or(doc, "optimizer.lr", t->optimizer.mark), "optimizer.lr: %g, must be > 0",
                           t->optimizer.lr);
  if (t->optimizer.lr_min > t->optimizer.lr)
    return tw_cfg_error_at(doc, tw_cfg_path_mark_or(doc, "optimizer.lr_min", t->optimizer.mark),
                           "optimizer.lr_min: %g is above optimizer.lr (%g)", t->optimizer.lr_min, t->optimizer.lr);
  if (t->batch.windows % t->batch.group)
    return tw_cfg_error_at(doc, tw_cfg_path_mark_or(doc, "batch.group", t->batch.mark),
                           "batch.group: %lld does not divide batch.windows (%lld)", (long long)t->batch.group,
                           (long long)t->batch.windows);
  if (t->optimizer.warmup >= t->steps && t->optimizer.warmup > 0)
    return tw_cfg_error_at(doc, tw_cfg_path_mark_or(doc, "optimizer.warmup", t->optimizer.mark),
                           "optimizer.warmup: %lld steps, not fewer than steps (%lld)", (long long)t->optimizer.warmup,
                           (long long)t->steps);
  if (t->data.n_files == 0) return tw_cfg_error_at(doc, t->data.mark, "data.files: empty");
  for (int i = 0; i < t->data.n_files; ++i)
    if (!strlen(t->data.files[i])) return tw_cfg_error_at(doc, t->data.mark, "data.files[%d]: empty path", i);
  return TW_OK;
}

const tw_cfg_schema tw_train_config_schema = TW_CFG_SCHEMA(tw_train_config, train_fields, check_train);
