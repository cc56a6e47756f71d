/*
** pseudonym.h: pseudonymous ids for imported persons, shared by every importer
** (the EHR import of src/cohort, the records import of src/twin).
**
** The only trace of a source id that leaves an import is
**     hex(HMAC-SHA-256(key = salt, message = source id))     (64 hex digits)
** A bare hash could be reversed by hashing candidate ids; keyed by a secret salt
** it cannot, so the salt is required (at least TW_SALT_MIN_BYTES bytes) and is
** never written anywhere. SHA-256 (FIPS 180-4) and HMAC (RFC 2104) are written
** in pseudonym.c because no cryptographic library is a dependency.
*/
#ifndef TW_CORE_PSEUDONYM_H
#define TW_CORE_PSEUDONYM_H

#include "core/status.h"

TW_EXTERN_C_BEGIN

/* 64 hex digits of HMAC-SHA-256(salt, source id) and a NUL. */
enum { TW_PSEUDONYM_LEN = 64, TW_SALT_MIN_BYTES = 16 };

/* SHA-256 (FIPS 180-4) of n bytes. */
void tw_sha256(const void *data, size_t n, unsigned char digest[32]);
/* HMAC-SHA-256 (RFC 2104) of msg under key. */
void tw_hmac_sha256(const void *key, size_t key_len, const void *msg, size_t msg_len, unsigned char mac[32]);
/* hex(HMAC-SHA-256(salt, source_id)) into out; TW_ERR_INPUT when salt is NULL or
** shorter than TW_SALT_MIN_BYTES. */
tw_status tw_pseudonym(const char *salt, const char *source_id, char out[TW_PSEUDONYM_LEN + 1]);

TW_EXTERN_C_END

#endif
