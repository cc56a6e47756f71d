/*
** pseudonym.c: pseudonymous ids for imported persons (pseudonym.h).
**
** The only trace of a source id that leaves an import is
** hex(HMAC-SHA-256(salt, id)). A plain hash of a Synthea UUID or an SSN-like
** id could be reversed by hashing candidates; keyed by a secret salt it cannot,
** so the salt is required. SHA-256 is written here (FIPS 180-4) because no
** cryptographic library is a dependency; tests/core/test_pseudonym.c checks it
** against the FIPS 180-4 examples and HMAC against RFC 4231.
*/
#include "core/pseudonym.h"

#include <string.h> /* memcpy, memset, strlen */

typedef struct sha256_ctx {
  uint32_t h[8];
  unsigned char block[64];
  size_t used;     /* bytes in block */
  uint64_t length; /* bytes hashed so far */
} sha256_ctx;

static const uint32_t K[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2};

static uint32_t rotr(uint32_t x, int n) { return (x >> n) | (x << (32 - n)); }

/* The message schedule W[0..63] of one 64-byte block (FIPS 180-4, 6.2.2 step 1). */
static void schedule(const unsigned char *b, uint32_t w[64]) {
  for (int t = 0; t < 16; ++t)
    w[t] = (uint32_t)b[4 * t] << 24 | (uint32_t)b[4 * t + 1] << 16 | (uint32_t)b[4 * t + 2] << 8 | b[4 * t + 3];
  for (int t = 16; t < 64; ++t) {
    const uint32_t s0 = rotr(w[t - 15], 7) ^ rotr(w[t - 15], 18) ^ (w[t - 15] >> 3);
    const uint32_t s1 = rotr(w[t - 2], 17) ^ rotr(w[t - 2], 19) ^ (w[t - 2] >> 10);
    w[t] = w[t - 16] + s0 + w[t - 7] + s1;
  }
}

static void compress(uint32_t h[8], const unsigned char *block) {
  uint32_t w[64], v[8];
  schedule(block, w);
  memcpy(v, h, sizeof v);
  for (int t = 0; t < 64; ++t) {
    const uint32_t S1 = rotr(v[4], 6) ^ rotr(v[4], 11) ^ rotr(v[4], 25);
    const uint32_t ch = (v[4] & v[5]) ^ (~v[4] & v[6]);
    const uint32_t t1 = v[7] + S1 + ch + K[t] + w[t];
    const uint32_t S0 = rotr(v[0], 2) ^ rotr(v[0], 13) ^ rotr(v[0], 22);
    const uint32_t maj = (v[0] & v[1]) ^ (v[0] & v[2]) ^ (v[1] & v[2]);
    memmove(v + 1, v, 7 * sizeof *v);
    v[4] += t1;
    v[0] = t1 + S0 + maj;
  }
  for (int i = 0; i < 8; ++i) h[i] += v[i];
}

static void sha256_init(sha256_ctx *c) {
  static const uint32_t H0[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                                 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};
  memcpy(c->h, H0, sizeof H0);
  c->used = 0;
  c->length = 0;
}

static void sha256_update(sha256_ctx *c, const void *data, size_t n) {
  const unsigned char *p = data;
  c->length += n;
  while (n > 0) {
    const size_t take = TW_MIN(n, 64 - c->used);
    memcpy(c->block + c->used, p, take);
    c->used += take;
    p += take;
    n -= take;
    if (c->used == 64) {
      compress(c->h, c->block);
      c->used = 0;
    }
  }
}

/* Padding (FIPS 180-4, 5.1.1): 0x80, zeros, the length in bits big-endian. */
static void sha256_final(sha256_ctx *c, unsigned char digest[32]) {
  const uint64_t bits = c->length * 8;
  const unsigned char one = 0x80, zero = 0;
  sha256_update(c, &one, 1);
  while (c->used != 56) sha256_update(c, &zero, 1);
  unsigned char len[8];
  for (int i = 0; i < 8; ++i) len[i] = (unsigned char)(bits >> (56 - 8 * i));
  sha256_update(c, len, 8);
  for (int i = 0; i < 32; ++i) digest[i] = (unsigned char)(c->h[i / 4] >> (24 - 8 * (i % 4)));
  memset(c, 0, sizeof *c);
}

void tw_sha256(const void *data, size_t n, unsigned char digest[32]) {
  sha256_ctx c;
  sha256_init(&c);
  sha256_update(&c, data, n);
  sha256_final(&c, digest);
}

/* RFC 2104: H((K ^ opad) || H((K ^ ipad) || msg)), K hashed first when longer
** than a block and zero-padded to 64 bytes. */
void tw_hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len, unsigned char mac[32]) {
  unsigned char k[64] = {0}, pad[64], inner[32];
  if (key_len > 64) tw_sha256(key, key_len, k);
  else memcpy(k, key, key_len);
  sha256_ctx c;
  for (int i = 0; i < 64; ++i) pad[i] = k[i] ^ 0x36;
  sha256_init(&c);
  sha256_update(&c, pad, 64);
  sha256_update(&c, msg, msg_len);
  sha256_final(&c, inner);
  for (int i = 0; i < 64; ++i) pad[i] = k[i] ^ 0x5c;
  sha256_init(&c);
  sha256_update(&c, pad, 64);
  sha256_update(&c, inner, 32);
  sha256_final(&c, mac);
  memset(k, 0, sizeof k);
  memset(pad, 0, sizeof pad);
}

tw_status tw_pseudonym(const char *salt, const char *source_id, char out[TW_PSEUDONYM_LEN + 1]) {
  if (!salt || strlen(salt) < TW_SALT_MIN_BYTES)
    return TW_FAIL(TW_ERR_INPUT, "pseudonymisation needs a secret salt of at least %d bytes (%s)", TW_SALT_MIN_BYTES,
                   salt ? "the one given is shorter" : "none was given");
  static const char HEX[] = "0123456789abcdef";
  unsigned char mac[32];
  tw_hmac_sha256(salt, strlen(salt), source_id, strlen(source_id), mac);
  for (int i = 0; i < 32; ++i) {
    out[2 * i] = HEX[mac[i] >> 4];
    out[2 * i + 1] = HEX[mac[i] & 15];
  }
  out[TW_PSEUDONYM_LEN] = '\0';
  return TW_OK;
}
