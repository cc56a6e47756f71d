/* base.h: core, includes nothing. */
