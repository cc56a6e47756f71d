/*
** nets_file.h: the GAN's networks and training state in a model HDF5 file,
** readable with h5py and loadable into CTGAN's PyTorch modules by name.
**
** Inside a model file (which the data transformer's writer owns as a whole):
**   /generator/sizes        int64: embedding, pac, width, cond_width,
**                           n_gen, gen[0..n_gen), n_dis, dis[0..n_dis)
**   /generator/<key>        float32, every entry of CTGAN's Generator.state_dict()
**                           in its PyTorch shape: seq.{k}.fc.weight, seq.{k}.fc.bias,
**                           seq.{k}.bn.weight, .bias, .running_mean, .running_var,
**                           seq.{k}.bn.num_batches_tracked (int64 scalar), seq.{K}.weight, .bias
**   /critic/<key>           float32, the Discriminator's: seq.{3l}.weight, seq.{3l}.bias
**   /train/...              (tw_gan_trainer_write) step, critic_updates, the Adam
**                           moments adam/{generator,critic}_{m,v} (flat, in
**                           parameter order), the loss curves loss/{critic,
**                           penalty, generator, cond} (one value per step)
** Only in builds with HDF5 (TW_HAVE_HDF5).
*/
#ifndef TW_GAN_NETS_FILE_H
#define TW_GAN_NETS_FILE_H

#include "gan/gan_train.h" /* tw_gan_nets, tw_gan_trainer */
#include "io/h5.h"         /* tw_h5_file */

TW_EXTERN_C_BEGIN

/* Writes /generator/ (sizes, parameters, running statistics) and /critic/. */
tw_status tw_gan_nets_write(tw_h5_file *f, const tw_gan_nets *n);

/* Reads the networks written by tw_gan_nets_write for a layout, on `be`: a
** file without /generator/sizes is TW_ERR_INPUT ("not a GAN model file"), and
** so are sizes whose width or cond_width differ from the layout's (a model of
** another cohort schema), a tensor of another shape, a NaN or Inf (each naming
** the file and dataset). /critic/ is read when present. */
tw_status tw_gan_nets_read(tw_backend *be, tw_h5_file *f, const tw_gan_layout *lay, tw_gan_nets **out);

/* Writes the networks and /train/ (a resumable run's state and its curves). */
tw_status tw_gan_trainer_write(tw_h5_file *f, const tw_gan_trainer *tr);

/* Resumes: into a trainer created with the same layout, sizes and options
** (tw_gan_trainer_create), reads the networks, the step counts, Adam's moments
** and the curves so far; training on from there gives the bits an unbroken run
** gives. A run of more steps than opts.steps is TW_ERR_INPUT. */
tw_status tw_gan_trainer_read(tw_h5_file *f, tw_gan_trainer *tr);

TW_EXTERN_C_END

#endif
