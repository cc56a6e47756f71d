/*
** check_mpi.c: the description of an MPI error code, for TW_MPI_CHECK
** (core/check.h).
*/
#include <mpi.h> /* MPI_Error_string */
#include <stdio.h> /* snprintf */

#include "core/check.h" /* the declaration of tw_mpi_error_string */

const char *tw_mpi_error_string(int rc) {
  static _Thread_local char text[MPI_MAX_ERROR_STRING + 32];
  int len = 0;
  if (MPI_Error_string(rc, text, &len) != MPI_SUCCESS) snprintf(text, sizeof text, "MPI error code %d", rc);
  return text;
}
