/*
** test_pseudonym.c: the pseudonyms every importer writes (core/pseudonym.h),
** label unit. Moved with the code from tests/cohort/test_synthea.c.
**
**   - SHA-256 against the FIPS 180-4 examples (and the one-million-'a' vector);
**   - HMAC-SHA-256 against RFC 4231 cases 1, 2 and 6 (a key longer than a block);
**   - tw_pseudonym refuses a missing or short salt, and two salts give two ids.
*/
#include <stdio.h>  /* snprintf */
#include <stdlib.h> /* malloc, free */
#include <string.h> /* memset, strlen, strcmp */

#include "core/pseudonym.h"
#include "tw_test.h"

static const char SALT[] = "twinscale-test-salt-0123456789";

static void hex(const unsigned char *d, int n, char *out) {
  for (int i = 0; i < n; ++i) snprintf(out + 2 * i, 3, "%02x", d[i]);
}

/* ---- SHA-256, HMAC, pseudonyms ------------------------------------------------ */

static void test_sha256_fips_vectors(void) {
  /* FIPS 180-4 examples (NIST CSRC "SHA256.pdf", "SHA256_2.pdf") and the long-message vector. */
  static const struct { const char *msg; const char *digest; } V[] = {
      {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
      {"abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
       "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"}};
  unsigned char d[32];
  char h[65];
  for (size_t i = 0; i < TW_ARRAY_LEN(V); ++i) {
    tw_sha256(V[i].msg, strlen(V[i].msg), d);
    hex(d, 32, h);
    CHECK_EQ_STR(h, V[i].digest);
  }
  char *million = malloc(1000000);
  CHECK(million != NULL);
  memset(million, 'a', 1000000);
  tw_sha256(million, 1000000, d);
  free(million);
  hex(d, 32, h);
  CHECK_EQ_STR(h, "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}

static void test_hmac_rfc4231(void) {
  unsigned char key[131], mac[32];
  char h[65];
  memset(key, 0x0b, 20);
  tw_hmac_sha256(key, 20, "Hi There", 8, mac); /* case 1 */
  hex(mac, 32, h);
  CHECK_EQ_STR(h, "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7");
  tw_hmac_sha256("Jefe", 4, "what do ya want for nothing?", 28, mac); /* case 2 */
  hex(mac, 32, h);
  CHECK_EQ_STR(h, "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
  memset(key, 0xaa, 131); /* case 6: a key longer than the block is hashed first */
  const char *m6 = "Test Using Larger Than Block-Size Key - Hash Key First";
  tw_hmac_sha256(key, 131, m6, strlen(m6), mac);
  hex(mac, 32, h);
  CHECK_EQ_STR(h, "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54");
}

static void test_pseudonym_needs_salt(void) {
  char a[TW_PSEUDONYM_LEN + 1], b[TW_PSEUDONYM_LEN + 1];
  CHECK_STATUS(tw_pseudonym(NULL, "x", a), TW_ERR_INPUT);
  CHECK_STATUS(tw_pseudonym("short-salt", "x", a), TW_ERR_INPUT); /* 10 bytes < 16 */
  CHECK_OK(tw_pseudonym(SALT, "082958ec-4275-02ee-d5fa-3fdbd595eebb", a));
  CHECK_OK(tw_pseudonym("another-salt-0123456789", "082958ec-4275-02ee-d5fa-3fdbd595eebb", b));
  CHECK(strlen(a) == 64 && strcmp(a, b) != 0);
}

int main(void) {
  TW_TEST_RUN(test_sha256_fips_vectors);
  TW_TEST_RUN(test_hmac_rfc4231);
  TW_TEST_RUN(test_pseudonym_needs_salt);
  return TW_TEST_RESULT();
}
