/*
** gan_job_config.c: the schema of the `gan_train` config kind
** (gan_job_config.h) and its cross-field checks: whole-number network widths
** within the networks' limits, a batch that is a multiple of pac.
*/
#include "gan/gan_job_config.h"

#include <math.h> /* floor */

#include "gan/nets.h" /* TW_GAN_MAX_LAYERS, TW_GAN_MAX_WIDTH */

static const tw_cfg_field network_fields[] = {
    {.key = "embedding", .type = TW_CFG_INT, .offset = offsetof(tw_gan_network_cfg, embedding), .default_text = "128",
     .has_range = 1, .min = 1, .max = TW_GAN_MAX_WIDTH, .doc = "width of the generator's noise z"},
    {.key = "generator", .type = TW_CFG_NUMBER_LIST, .offset = offsetof(tw_gan_network_cfg, generator),
     .count_offset = offsetof(tw_gan_network_cfg, n_generator), .default_text = "[256, 256]", .has_range = 1,
     .min = 1, .max = TW_GAN_MAX_WIDTH, .min_count = 1, .max_count = TW_GAN_MAX_LAYERS,
     .doc = "widths of the generator's residual blocks (Linear, BatchNorm, ReLU)"},
    {.key = "critic", .type = TW_CFG_NUMBER_LIST, .offset = offsetof(tw_gan_network_cfg, critic),
     .count_offset = offsetof(tw_gan_network_cfg, n_critic), .default_text = "[256, 256]", .has_range = 1, .min = 1,
     .max = TW_GAN_MAX_WIDTH, .min_count = 1, .max_count = TW_GAN_MAX_LAYERS,
     .doc = "widths of the critic's hidden layers (Linear, LeakyReLU 0.2, Dropout 0.5)"},
    {.key = "pac", .type = TW_CFG_INT, .offset = offsetof(tw_gan_network_cfg, pac), .default_text = "10",
     .has_range = 1, .min = 1, .max = 100, .doc = "rows per critic group (PacGAN)"},
};
static const tw_cfg_schema network_schema = TW_CFG_SCHEMA(tw_gan_network_cfg, network_fields, NULL);

static const tw_cfg_field optimizer_fields[] = {
    {.key = "lr_generator", .type = TW_CFG_NUMBER, .offset = offsetof(tw_gan_optimizer_cfg, lr_generator),
     .default_text = "2e-4", .has_range = 1, .min = 1e-12, .max = 10, .doc = "Adam's learning rate, generator"},
    {.key = "lr_critic", .type = TW_CFG_NUMBER, .offset = offsetof(tw_gan_optimizer_cfg, lr_critic),
     .default_text = "2e-4", .has_range = 1, .min = 1e-12, .max = 10, .doc = "Adam's learning rate, critic"},
    {.key = "beta1", .type = TW_CFG_NUMBER, .offset = offsetof(tw_gan_optimizer_cfg, beta1), .default_text = "0.5",
     .has_range = 1, .min = 0, .max = 0.999999, .doc = "Adam's first-moment decay"},
    {.key = "beta2", .type = TW_CFG_NUMBER, .offset = offsetof(tw_gan_optimizer_cfg, beta2), .default_text = "0.9",
     .has_range = 1, .min = 0, .max = 0.999999, .doc = "Adam's second-moment decay"},
    {.key = "eps", .type = TW_CFG_NUMBER, .offset = offsetof(tw_gan_optimizer_cfg, eps), .default_text = "1e-8",
     .has_range = 1, .min = 0, .max = 1, .doc = "Adam's epsilon"},
    {.key = "weight_decay", .type = TW_CFG_NUMBER, .offset = offsetof(tw_gan_optimizer_cfg, weight_decay),
     .default_text = "1e-6", .has_range = 1, .min = 0, .max = 10,
     .doc = "L2 added to the gradient (torch.optim.Adam's weight_decay), both networks"},
};
static const tw_cfg_schema optimizer_schema = TW_CFG_SCHEMA(tw_gan_optimizer_cfg, optimizer_fields, NULL);

static const tw_cfg_field focus_fields[] = {
    {.key = "condition", .type = TW_CFG_STRING, .offset = offsetof(tw_gan_focus_cfg, condition),
     .doc = "NAME=VALUE: a discrete column's category (a rare condition) given to a share of the training draws, "
            "with real rows of it (unset: CTGAN's draws only)"},
    {.key = "share", .type = TW_CFG_NUMBER, .offset = offsetof(tw_gan_focus_cfg, share), .default_text = "0.5",
     .has_range = 1, .min = 0, .max = 0.99, .doc = "the share of the training draws given the condition"},
};
static const tw_cfg_schema focus_schema = TW_CFG_SCHEMA(tw_gan_focus_cfg, focus_fields, NULL);

static const tw_cfg_field checkpoint_fields[] = {
    {.key = "every", .type = TW_CFG_INT, .offset = offsetof(tw_train_ckpt_cfg, every), .default_text = "500",
     .has_range = 1, .min = 0, .max = 1e9, .unit = "steps", .doc = "steps between checkpoints (0: only on a signal)"},
    {.key = "path", .type = TW_CFG_STRING, .offset = offsetof(tw_train_ckpt_cfg, path),
     .doc = "checkpoint file (default: the model file's path + .ckpt); removed when training ends"},
};
static const tw_cfg_schema checkpoint_schema = TW_CFG_SCHEMA(tw_train_ckpt_cfg, checkpoint_fields, NULL);

static const tw_cfg_field output_fields[] = {
    {.key = "path", .type = TW_CFG_STRING, .offset = offsetof(tw_train_output_cfg, path), .default_text = "gan.h5",
     .doc = "the model file: /transformer, /generator, /critic, /train (state and loss curves), the config text"},
};
static const tw_cfg_schema output_schema = TW_CFG_SCHEMA(tw_train_output_cfg, output_fields, NULL);

static const char *const combination_modes[] = {"auto", "off", NULL};
const char *const tw_gan_backend_names[] = {"auto", "cpu", "cuda", NULL};

static const tw_cfg_field gan_train_fields[] = {
    {.key = "cohort", .type = TW_CFG_STRING, .offset = offsetof(tw_gan_train_config, cohort), .required = 1,
     .doc = "the training cohort file (relative to this file): /cohort/covariates, /cohort/parameters and "
            "/cohort/conditions are its columns"},
    {.key = "steps", .type = TW_CFG_INT, .offset = offsetof(tw_gan_train_config, steps), .default_text = "0",
     .has_range = 1, .min = 0, .max = 1e9, .unit = "steps",
     .doc = "generator updates (0: max(300 epochs, 3000 steps) at the batch below)"},
    {.key = "batch", .type = TW_CFG_INT, .offset = offsetof(tw_gan_train_config, batch), .default_text = "0",
     .has_range = 1, .min = 0, .max = 1e6,
     .doc = "rows per update, a multiple of network.pac (0: pac round(n / 2 pac) within [10 pac, 500])"},
    {.key = "seed", .type = TW_CFG_INT, .offset = offsetof(tw_gan_train_config, seed), .default_text = "1",
     .has_range = 1, .min = 0, .max = 9007199254740992.0,
     .doc = "Philox key: initial weights, condition vectors, rows, noise, dropout, mixture components"},
    {.key = "critic_steps", .type = TW_CFG_INT, .offset = offsetof(tw_gan_train_config, critic_steps),
     .default_text = "1", .has_range = 1, .min = 1, .max = 100, .doc = "critic updates per generator update"},
    {.key = "threads", .type = TW_CFG_INT, .offset = offsetof(tw_gan_train_config, threads), .default_text = "0",
     .has_range = 1, .min = 0, .max = 4096,
     .doc = "OpenMP threads (0: the default team); the model is the same bits for any count"},
    {.key = "combinations", .type = TW_CFG_ENUM, .offset = offsetof(tw_gan_train_config, combinations),
     .default_text = "auto", .choices = combination_modes,
     .doc = "float columns of few values taken together (a reference patient's parameters) as one discrete "
            "column of their tuples: auto (found in the data) or off (docs/gan.md, \"Fixed combinations\")"},
    {.key = "backend", .type = TW_CFG_ENUM, .offset = offsetof(tw_gan_train_config, backend), .default_text = "auto",
     .choices = tw_gan_backend_names,
     .doc = "auto (CUDA device 0 when one is visible), cpu or cuda: where the networks train; the model is "
            "the same bits for any thread count on the CPU, within float rounding of it on a GPU"},
    {.key = "network", .type = TW_CFG_MAP, .offset = offsetof(tw_gan_train_config, network), .sub = &network_schema,
     .default_text = "{}", .doc = "network sizes (CTGAN's defaults)"},
    {.key = "optimizer", .type = TW_CFG_MAP, .offset = offsetof(tw_gan_train_config, optimizer),
     .sub = &optimizer_schema, .default_text = "{}", .doc = "Adam (CTGAN's defaults)"},
    {.key = "focus", .type = TW_CFG_MAP, .offset = offsetof(tw_gan_train_config, focus), .sub = &focus_schema,
     .default_text = "{}", .doc = "training focused on one condition (docs/gan.md, \"Focus on a rare condition\")"},
    {.key = "checkpoint", .type = TW_CFG_MAP, .offset = offsetof(tw_gan_train_config, checkpoint),
     .sub = &checkpoint_schema, .default_text = "{}", .doc = "checkpoints for --resume"},
    {.key = "output", .type = TW_CFG_MAP, .offset = offsetof(tw_gan_train_config, output), .sub = &output_schema,
     .default_text = "{}", .doc = "the model file"},
};

/* Every width a whole number (the list type holds doubles). */
static tw_status check_widths(const tw_cfg_doc *doc, const tw_gan_network_cfg *n) {
  for (int i = 0; i < n->n_generator + n->n_critic; ++i) {
    const int gen = i < n->n_generator;
    const double w = gen ? n->generator[i] : n->critic[i - n->n_generator];
    const char *key = gen ? "network.generator" : "network.critic";
    if (w != floor(w))
      return tw_cfg_error_at(doc, tw_cfg_path_mark_or(doc, key, n->mark), "%s: %g is not a whole number of units",
                             key, w);
  }
  return TW_OK;
}

static tw_status check_gan_train(const tw_cfg_doc *doc, void *obj) {
  const tw_gan_train_config *c = obj;
  TW_TRY(check_widths(doc, &c->network));
  if (c->batch % c->network.pac)
    return tw_cfg_error_at(doc, tw_cfg_path_mark_or(doc, "batch", c->mark),
                           "batch: %lld is not a multiple of network.pac (%lld)", (long long)c->batch,
                           (long long)c->network.pac);
  return TW_OK;
}

const tw_cfg_schema tw_gan_train_config_schema = TW_CFG_SCHEMA(tw_gan_train_config, gan_train_fields, check_gan_train);
