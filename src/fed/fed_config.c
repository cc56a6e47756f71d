/*
** fed_config.c: the schema of the `fed_train` config kind (fed_config.h) and
** its cross-field checks: every site with data, distinct site names, local
** steps that divide the steps, no train section keys the federation replaces.
*/
#include "fed/fed_config.h"

#include <string.h> /* strcmp, strlen */

static const tw_cfg_field site_model_fields[] = {
    {.key = "H", .type = TW_CFG_INT, .offset = offsetof(tw_fed_site_model, H), .has_range = 1, .min = 0, .max = 4096,
     .doc = "GNN width (0: train.model.H)"},
    {.key = "Hr", .type = TW_CFG_INT, .offset = offsetof(tw_fed_site_model, Hr), .has_range = 1, .min = 0,
     .max = 4096, .doc = "LSTM width (0: train.model.Hr)"},
    {.key = "L", .type = TW_CFG_INT, .offset = offsetof(tw_fed_site_model, L), .has_range = 1, .min = 0, .max = 16,
     .doc = "GNN layers (0: train.model.L)"},
    {.key = "M", .type = TW_CFG_INT, .offset = offsetof(tw_fed_site_model, M), .has_range = 1, .min = 0, .max = 4096,
     .doc = "head width (0: train.model.M)"},
};
static const tw_cfg_schema site_model_schema = TW_CFG_SCHEMA(tw_fed_site_model, site_model_fields, NULL);

static const tw_cfg_field site_fields[] = {
    {.key = "name", .type = TW_CFG_STRING, .offset = offsetof(tw_fed_site_cfg, name), .required = 1,
     .doc = "the site's name (letters, digits, - and _): in the log, the report and its checkpoint's name"},
    {.key = "files", .type = TW_CFG_STRING_LIST, .offset = offsetof(tw_fed_site_cfg, files),
     .count_offset = offsetof(tw_fed_site_cfg, n_files), .required = 1,
     .doc = "the site's own simulate results (output.states: true); only this site's ranks open them"},
    {.key = "ranks", .type = TW_CFG_INT, .offset = offsetof(tw_fed_site_cfg, ranks), .default_text = "1",
     .has_range = 1, .min = 1, .max = 1e6, .doc = "MPI ranks of the site (its data-parallel training)"},
    {.key = "model", .type = TW_CFG_MAP, .offset = offsetof(tw_fed_site_cfg, model), .sub = &site_model_schema,
     .default_text = "{}", .doc = "model sizes of this site when not the train section's (they must agree)"},
};
static const tw_cfg_schema site_schema = TW_CFG_SCHEMA(tw_fed_site_cfg, site_fields, NULL);

static const char *const algorithms[] = {"fedavg", "fedprox", NULL};

static const tw_cfg_field federation_fields[] = {
    {.key = "algorithm", .type = TW_CFG_ENUM, .offset = offsetof(tw_fed_federation_cfg, algorithm),
     .default_text = "fedavg", .choices = algorithms,
     .doc = "fedavg (weights averaged by training windows) or fedprox (mu/2 ||w - w_global||^2 added locally)"},
    {.key = "mu", .type = TW_CFG_NUMBER, .offset = offsetof(tw_fed_federation_cfg, mu), .default_text = "0.01",
     .has_range = 1, .min = 0, .max = 1e6, .doc = "FedProx's proximal weight (fedprox only)"},
    {.key = "local_steps", .type = TW_CFG_INT, .offset = offsetof(tw_fed_federation_cfg, local_steps),
     .default_text = "10", .has_range = 1, .min = 1, .max = 1e9, .unit = "steps",
     .doc = "optimiser steps a sampled site takes per round; must divide train.steps"},
    {.key = "fraction", .type = TW_CFG_NUMBER, .offset = offsetof(tw_fed_federation_cfg, fraction),
     .default_text = "1", .has_range = 1, .min = 1e-9, .max = 1,
     .doc = "share of the sites sampled each round (ceil(fraction x sites), drawn from the seed)"},
    {.key = "secure_aggregation", .type = TW_CFG_BOOL, .offset = offsetof(tw_fed_federation_cfg, secure),
     .default_text = "true", .doc = "pairwise masks so that the leader sees only the sum of the updates"},
};
static const tw_cfg_schema federation_schema = TW_CFG_SCHEMA(tw_fed_federation_cfg, federation_fields, NULL);

static const tw_cfg_field privacy_fields[] = {
    {.key = "epsilon", .type = TW_CFG_NUMBER, .offset = offsetof(tw_fed_privacy_cfg, epsilon), .default_text = "0",
     .has_range = 1, .min = 0, .max = 1e6,
     .doc = "each site's privacy budget: DP-SGD at every site, stopped before a site would spend more (0: no DP)"},
    {.key = "delta", .type = TW_CFG_NUMBER, .offset = offsetof(tw_fed_privacy_cfg, delta), .default_text = "1e-5",
     .has_range = 1, .min = 1e-300, .max = 0.999999, .doc = "delta of each site's (epsilon, delta) guarantee"},
    {.key = "max_grad_norm", .type = TW_CFG_NUMBER, .offset = offsetof(tw_fed_privacy_cfg, max_grad_norm),
     .default_text = "1", .has_range = 1, .min = 1e-12, .max = 1e12,
     .doc = "C: every window's gradient is clipped to this norm before the sum"},
    {.key = "noise_multiplier", .type = TW_CFG_NUMBER, .offset = offsetof(tw_fed_privacy_cfg, noise_multiplier),
     .default_text = "auto", .keyword = "auto", .keyword_offset = offsetof(tw_fed_privacy_cfg, sigma_auto),
     .has_range = 1, .min = 0, .max = 1e6,
     .doc = "sigma: noise N(0, (sigma C)^2) per weight per step; auto: each site's smallest sigma whose planned "
            "steps fit in epsilon"},
};
static const tw_cfg_schema privacy_schema = TW_CFG_SCHEMA(tw_fed_privacy_cfg, privacy_fields, NULL);

static const tw_cfg_field ckpt_fields[] = {
    {.key = "every", .type = TW_CFG_INT, .offset = offsetof(tw_fed_ckpt_cfg, every), .default_text = "0",
     .has_range = 1, .min = 0, .max = 1e9, .unit = "rounds", .doc = "rounds between checkpoints (0: only on a signal)"},
    {.key = "path", .type = TW_CFG_STRING, .offset = offsetof(tw_fed_ckpt_cfg, path),
     .doc = "checkpoint stem: each site writes <path>.<site>.h5 (default: output.path + .ckpt)"},
};
static const tw_cfg_schema ckpt_schema = TW_CFG_SCHEMA(tw_fed_ckpt_cfg, ckpt_fields, NULL);

static const tw_cfg_field output_fields[] = {
    {.key = "path", .type = TW_CFG_STRING, .offset = offsetof(tw_fed_output_cfg, path), .default_text = "model.h5",
     .doc = "the global model file (as `train` writes)"},
    {.key = "report", .type = TW_CFG_STRING, .offset = offsetof(tw_fed_output_cfg, report),
     .doc = "JSON report: per round the validation loss per site and global, bytes sent (default: path + .json)"},
    {.key = "audit", .type = TW_CFG_STRING, .offset = offsetof(tw_fed_output_cfg, audit),
     .doc = "folder of the communication log, <site>.jsonl per site leader (default: path + .audit)"},
    {.key = "payloads", .type = TW_CFG_BOOL, .offset = offsetof(tw_fed_output_cfg, payloads), .default_text = "false",
     .doc = "keep the bytes of every message a site sends in the audit folder (for audits and tests)"},
};
static const tw_cfg_schema output_schema = TW_CFG_SCHEMA(tw_fed_output_cfg, output_fields, NULL);

static const tw_cfg_field fed_fields[] = {
    {.key = "train", .type = TW_CFG_MAP, .offset = offsetof(tw_fed_config, train), .sub = &tw_train_config_schema,
     .required = 1,
     .doc = "the training every site runs (a train config); data.files: the reference set (scalers, global loss)"},
    {.key = "sites", .type = TW_CFG_LIST, .offset = offsetof(tw_fed_config, sites), .sub = &site_schema,
     .count_offset = offsetof(tw_fed_config, n_sites), .required = 1, .doc = "the sites, in rank order"},
    {.key = "federation", .type = TW_CFG_MAP, .offset = offsetof(tw_fed_config, federation),
     .sub = &federation_schema, .default_text = "{}", .doc = "rounds, sampling, aggregation"},
    {.key = "privacy", .type = TW_CFG_MAP, .offset = offsetof(tw_fed_config, privacy), .sub = &privacy_schema,
     .default_text = "{}", .doc = "differential privacy: DP-SGD at every site with a budget (epsilon, delta)"},
    {.key = "checkpoint", .type = TW_CFG_MAP, .offset = offsetof(tw_fed_config, checkpoint), .sub = &ckpt_schema,
     .default_text = "{}", .doc = "checkpoints at round boundaries, for --resume"},
    {.key = "output", .type = TW_CFG_MAP, .offset = offsetof(tw_fed_config, output), .sub = &output_schema,
     .default_text = "{}", .doc = "the model file, the report, the audit log"},
};

static int name_ok(const char *s) {
  if (!*s) return 0;
  for (; *s; ++s)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '-' || *s == '_'))
      return 0;
  return 1;
}

static tw_status check_site(const tw_cfg_doc *doc, const tw_fed_config *c, int i) {
  const tw_fed_site_cfg *s = &c->sites[i];
  if (!name_ok(s->name))
    return tw_cfg_error_at(doc, s->mark, "sites[%d].name: '%.64s': letters, digits, - and _ only", i, s->name);
  for (int j = 0; j < i; ++j)
    if (!strcmp(c->sites[j].name, s->name))
      return tw_cfg_error_at(doc, s->mark, "sites[%d].name: '%s' names two sites", i, s->name);
  if (s->n_files == 0) return tw_cfg_error_at(doc, s->mark, "sites[%d] (%s): a site without data (files: [])", i, s->name);
  for (int k = 0; k < s->n_files; ++k)
    if (!strlen(s->files[k])) return tw_cfg_error_at(doc, s->mark, "sites[%d].files[%d]: empty path", i, k);
  return TW_OK;
}

static tw_status check_fed(const tw_cfg_doc *doc, void *obj) {
  const tw_fed_config *c = obj;
  if (c->n_sites == 0) return tw_cfg_error_at(doc, c->mark, "sites: empty: a federation needs a site");
  for (int i = 0; i < c->n_sites; ++i) TW_TRY(check_site(doc, c, i));
  if (c->train.steps % c->federation.local_steps)
    return tw_cfg_error_at(doc, c->federation.mark, "federation.local_steps: %lld does not divide train.steps (%lld)",
                           (long long)c->federation.local_steps, (long long)c->train.steps);
  const tw_fed_privacy_cfg *p = &c->privacy;
  if (p->epsilon > 0 && !p->sigma_auto && !(p->noise_multiplier > 0))
    return tw_cfg_error_at(doc, tw_cfg_path_mark_or(doc, "privacy.noise_multiplier", p->mark),
                           "privacy.noise_multiplier: %g adds no noise, which no finite budget (epsilon = %g) allows: "
                           "give sigma > 0, or auto", p->noise_multiplier, p->epsilon);
  /* the normalised print writes train.output and train.checkpoint with their defaults: those pass */
  const tw_train_config *t = &c->train;
  if (strcmp(t->output.path, "model.h5") || t->checkpoint.path || t->checkpoint.every != 500)
    return tw_cfg_error_at(doc, strcmp(t->output.path, "model.h5") ? t->output.mark : t->checkpoint.mark,
                           "train.output, train.checkpoint: not read by fed_train (use output: and checkpoint:)");
  return TW_OK;
}

const tw_cfg_schema tw_fed_config_schema = TW_CFG_SCHEMA(tw_fed_config, fed_fields, check_fed);
