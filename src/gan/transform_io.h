/*
** transform_io.h: the data transformer (transform.h) in an HDF5 model file,
** under /transformer/ (the datasets are listed in transform_h5.c and
** docs/gan.md), and the cohort metadata a sampled cohort file is written with.
** HDF5 builds only (as all of src/gan).
*/
#ifndef TW_GAN_TRANSFORM_IO_H
#define TW_GAN_TRANSFORM_IO_H

#include "gan/transform.h"

TW_EXTERN_C_BEGIN

struct tw_h5_file;

/* Writes tr under /transformer/ of an open file being written (the model file). */
tw_status tw_gan_transformer_save(struct tw_h5_file *f, const tw_gan_transformer *tr);
/* Reads it back: the same columns, mixtures, categories, units, pack and
** layout. TW_ERR_INPUT: no /transformer/ ("not a GAN model file"), a dataset
** of the wrong size or inconsistent values, stored spans that differ from the
** layout rebuilt from the columns. */
tw_status tw_gan_transformer_load(struct tw_h5_file *f, tw_gan_transformer *out);

/* Reads the columns' `units` attributes and the root attribute `pack` (if
** any) of the cohort file tr was fitted to, into tr->units and tr->pack. */
tw_status tw_gan_meta_read(const char *path, tw_gan_transformer *tr);

/* TW_ERR_INPUT, naming `what` and the first column that differs, when schema
** s (another cohort) is not the model's: "a model file from another cohort
** schema". */
tw_status tw_gan_transformer_check_schema(const tw_gan_transformer *tr, const tw_gan_schema *s, const char *what);

/* TW_ERR_INPUT, naming `what` and the first column that differs, unless b
** decodes rows as a does: the same schema, fitted rows, fixed combination and,
** per column, transform (space, kept components with their means and
** variances, range, categories and counts, shift). An ensemble's members must
** share their transformer: models trained on one cohort file do, whatever
** their seeds and network sizes. */
tw_status tw_gan_transformer_same(const tw_gan_transformer *a, const tw_gan_transformer *b, const char *what);

TW_EXTERN_C_END

#endif
