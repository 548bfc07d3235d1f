#ifndef R70_CGSL_SHIM_H
#define R70_CGSL_SHIM_H
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <gsl/gsl_sort.h>

/* Swift 6 rejects GSL's mutable global generator types; read them through functions. */
static inline const gsl_rng_type *r70_gsl_rng_mt19937(void) { return gsl_rng_mt19937; }
static inline const gsl_rng_type *r70_gsl_rng_ranlxd2(void) { return gsl_rng_ranlxd2; }
#endif
