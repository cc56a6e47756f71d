/* api_types.h: public, includes nothing. */
