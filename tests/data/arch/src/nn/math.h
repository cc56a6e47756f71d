/* math.h: nn; the engines are peers (wrong: sideways on line 5).
   Includes in comments are not includes:
#include "cli/cli.h"
*/
#include "physio/pmath.h"
// #include "cli/cli.h"
/* #include "run/engine.h" */
#include "nn/ops.h" /* "a string" and a // comment after an include */
