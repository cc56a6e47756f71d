/*
** salt.c: the pseudonym salt, read from the environment variable a command is
** told to use (cli.h, tw_cli_read_salt).
**
** The salt keys every pseudonym (core/pseudonym.h): whoever has it can test
** candidate ids against the pseudonyms, so it is never taken from an argument
** or a config file (both end up in shell histories, job scripts and the
** results file's config attribute), never printed, and must be long enough.
*/
#include "cli/cli.h"

#include <stdlib.h> /* getenv */
#include <string.h> /* strlen */

#include "core/pseudonym.h" /* TW_SALT_MIN_BYTES */

tw_status tw_cli_read_salt(const char *who, const char *var, const char **salt) {
  *salt = getenv(var);
  if (!*salt || !**salt)
    return TW_FAIL(TW_ERR_INPUT, "%s: the environment variable %s is not set; export the "
                   "pseudonym salt (at least %d bytes) in it", who, var, TW_SALT_MIN_BYTES);
  if (strlen(*salt) < TW_SALT_MIN_BYTES)
    return TW_FAIL(TW_ERR_INPUT, "%s: the salt in %s is %zu bytes; at least %d are needed", who, var,
                   strlen(*salt), TW_SALT_MIN_BYTES);
  return TW_OK;
}
