/*
** secagg.h: secure aggregation of site updates (Bonawitz et al. 2017, "Practical
** secure aggregation for privacy-preserving machine learning", without dropouts).
**
** Every site leader draws an X25519 key pair at start (libsodium), the public
** keys go round through the federation leader, and each pair of sites i < j
** derives the same 32-byte key k_ij = BLAKE2b(X25519(sk_i, pk_j) || pk_i || pk_j).
** In round r site i sends
**     y_i = q_i + sum_{j > i} PRG(k_ij, r) - sum_{j < i} PRG(k_ij, r)   (mod 2^64)
** over the sampled sites j, PRG the ChaCha20 keystream (key k_ij, nonce r) read
** as little-endian uint64. Summed over the sampled sites the masks cancel
** exactly, so the leader recovers sum_i q_i and nothing else; each y_i alone is
** uniformly distributed to anyone without the pair keys.
**
** q_i is the site's update in fixed point: round(x * w * 2^TW_SECAGG_SCALE_BITS)
** as a two's-complement int64 (x the float update, w its FedAvg weight). The
** scale gives a resolution of 2^-24 = 6.0e-8 per element of w x; each site's
** |q| must stay below 2^63 / n_sites (checked: an error, never a wrap) so that
** the sum of the sites' values cannot overflow: |w x| < 2^39 / n_sites
** (5.5e11 / n_sites).
*/
#ifndef TW_FED_SECAGG_H
#define TW_FED_SECAGG_H

#include <stdint.h> /* uint64_t */

#include "core/status.h"

TW_EXTERN_C_BEGIN

enum { TW_SECAGG_KEY_BYTES = 32, TW_SECAGG_SCALE_BITS = 24 };

typedef struct tw_secagg {
  int n_sites, self;
  unsigned char pk[TW_SECAGG_KEY_BYTES], sk[TW_SECAGG_KEY_BYTES];
  unsigned char *pair;        /* (n_sites, 32): the key shared with each site (self's row unused) */
} tw_secagg;

/* A fresh key pair for site `self` of n_sites (libsodium's system randomness). */
tw_status tw_secagg_open(tw_secagg *s, int n_sites, int self);
void tw_secagg_close(tw_secagg *s);
/* Derives the pair keys from every site's public key, pks (n_sites, 32) in site
** order. A public key that is a low-order point is TW_ERR_INPUT. */
tw_status tw_secagg_agree(tw_secagg *s, const unsigned char *pks);
/* q[k] = round(x[k] * weight * 2^24) for k < n; TW_ERR_NUMERIC naming the
** element when it leaves the range above (or x is not finite). */
tw_status tw_secagg_quantise(const float *x, int64_t n, double weight, int n_sites, uint64_t *q);
/* The fixed-point value of a sum of quantised values, as a double. */
double tw_secagg_value(uint64_t sum);
/* Adds this site's masks for round `round` to q (n), over the sampled sites
** (sampled[j] != 0; this site must be one). */
tw_status tw_secagg_mask(const tw_secagg *s, uint64_t round, const int *sampled, uint64_t *q, int64_t n);

TW_EXTERN_C_END

#endif
