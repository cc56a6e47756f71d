/*
** secagg.c: pairwise-masked secure aggregation over libsodium (secagg.h).
**
** X25519 (crypto_scalarmult), BLAKE2b (crypto_generichash) and ChaCha20
** (crypto_stream_chacha20, 64-bit nonce: the round) are libsodium's; only the
** arrangement is ours. Secret keys are wiped (sodium_memzero) on close.
*/
#include "fed/secagg.h"

#include <math.h>   /* llround, isfinite, ldexp */
#include <sodium.h> /* crypto_* */
#include <stdlib.h> /* malloc, free */
#include <string.h> /* memcpy, memset */

tw_status tw_secagg_open(tw_secagg *s, int n_sites, int self) {
  memset(s, 0, sizeof *s);
  if (sodium_init() < 0) return TW_FAIL(TW_ERR_LIBRARY, "secure aggregation: libsodium failed to start");
  s->n_sites = n_sites, s->self = self;
  if (!(s->pair = calloc((size_t)n_sites, TW_SECAGG_KEY_BYTES)))
    return TW_FAIL(TW_ERR_NOMEM, "secure aggregation: pair keys");
  randombytes_buf(s->sk, sizeof s->sk);
  if (crypto_scalarmult_base(s->pk, s->sk) != 0) return TW_FAIL(TW_ERR_LIBRARY, "secure aggregation: X25519 key pair");
  return TW_OK;
}

void tw_secagg_close(tw_secagg *s) {
  sodium_memzero(s->sk, sizeof s->sk);
  if (s->pair) sodium_memzero(s->pair, (size_t)s->n_sites * TW_SECAGG_KEY_BYTES);
  free(s->pair);
  s->pair = NULL;
}

/* k_ij = BLAKE2b-256(X25519 shared point || pk of the lower site || pk of the higher). */
static tw_status pair_key(tw_secagg *s, int j, const unsigned char *pks) {
  unsigned char shared[crypto_scalarmult_BYTES], in[crypto_scalarmult_BYTES + 2 * TW_SECAGG_KEY_BYTES];
  if (crypto_scalarmult(shared, s->sk, pks + (size_t)j * TW_SECAGG_KEY_BYTES) != 0)
    return TW_FAIL(TW_ERR_INPUT, "secure aggregation: site %d's public key is a low-order point", j);
  const int lo = s->self < j ? s->self : j, hi = s->self < j ? j : s->self;
  memcpy(in, shared, sizeof shared);
  memcpy(in + sizeof shared, pks + (size_t)lo * TW_SECAGG_KEY_BYTES, TW_SECAGG_KEY_BYTES);
  memcpy(in + sizeof shared + TW_SECAGG_KEY_BYTES, pks + (size_t)hi * TW_SECAGG_KEY_BYTES, TW_SECAGG_KEY_BYTES);
  const int rc = crypto_generichash(s->pair + (size_t)j * TW_SECAGG_KEY_BYTES, TW_SECAGG_KEY_BYTES, in, sizeof in, NULL, 0);
  sodium_memzero(shared, sizeof shared);
  return rc == 0 ? TW_OK : TW_FAIL(TW_ERR_LIBRARY, "secure aggregation: BLAKE2b");
}

tw_status tw_secagg_agree(tw_secagg *s, const unsigned char *pks) {
  if (memcmp(pks + (size_t)s->self * TW_SECAGG_KEY_BYTES, s->pk, TW_SECAGG_KEY_BYTES) != 0)
    return TW_FAIL(TW_ERR_INTERNAL, "secure aggregation: site %d's own public key came back changed", s->self);
  for (int j = 0; j < s->n_sites; ++j)
    if (j != s->self) TW_TRY(pair_key(s, j, pks));
  return TW_OK;
}

tw_status tw_secagg_quantise(const float *x, int64_t n, double weight, int n_sites, uint64_t *q) {
  const double limit = ldexp(1.0, 63) / (n_sites > 0 ? n_sites : 1), scale = ldexp(1.0, TW_SECAGG_SCALE_BITS);
  for (int64_t k = 0; k < n; ++k) {
    const double v = (double)x[k] * weight * scale;
    if (!isfinite(v) || fabs(v) >= limit)
      return TW_FAIL(TW_ERR_NUMERIC, "secure aggregation: update element %lld is %g (x %g windows), outside the "
                     "fixed-point range +-%g", (long long)k, (double)x[k], weight, limit / scale);
    q[k] = (uint64_t)llround(v); /* two's complement: the sum mod 2^64 is the signed sum */
  }
  return TW_OK;
}

double tw_secagg_value(uint64_t sum) { return ldexp((double)(int64_t)sum, -TW_SECAGG_SCALE_BITS); }

/* q += sign * ChaCha20(key, round) read as little-endian uint64 (mod 2^64). */
static void add_stream(const unsigned char *key, uint64_t round, int sign, uint64_t *q, int64_t n, unsigned char *buf,
                       size_t cap) {
  unsigned char nonce[crypto_stream_chacha20_NONCEBYTES];
  for (size_t b = 0; b < sizeof nonce; ++b) nonce[b] = (unsigned char)(round >> (8 * b));
  /* the keystream is one stream over all n words: generated in pieces at its byte offset */
  for (int64_t at = 0; at < n;) {
    const int64_t m = (int64_t)(cap / 8) < n - at ? (int64_t)(cap / 8) : n - at;
    crypto_stream_chacha20_xor_ic(buf, (const unsigned char *)memset(buf, 0, (size_t)m * 8), (unsigned long long)m * 8,
                                  nonce, (uint64_t)at / 8, key);
    for (int64_t k = 0; k < m; ++k) {
      uint64_t w = 0;
      for (int b = 7; b >= 0; --b) w = (w << 8) | buf[k * 8 + b];
      q[at + k] += sign > 0 ? w : (uint64_t)0 - w;
    }
    at += m;
  }
}

tw_status tw_secagg_mask(const tw_secagg *s, uint64_t round, const int *sampled, uint64_t *q, int64_t n) {
  if (!sampled[s->self]) return TW_FAIL(TW_ERR_INTERNAL, "secure aggregation: site %d masks in a round it sits out", s->self);
  enum { PIECE = 64 * 1024 }; /* bytes of keystream at a time; a multiple of ChaCha20's 64-byte block */
  unsigned char *buf = malloc(PIECE);
  if (!buf) return TW_FAIL(TW_ERR_NOMEM, "secure aggregation: keystream");
  for (int j = 0; j < s->n_sites; ++j)
    if (j != s->self && sampled[j])
      add_stream(s->pair + (size_t)j * TW_SECAGG_KEY_BYTES, round, s->self < j ? 1 : -1, q, n, buf, PIECE);
  sodium_memzero(buf, PIECE);
  free(buf);
  return TW_OK;
}
