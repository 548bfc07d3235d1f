#ifndef R70_CGSL_SHIM_H
#define R70_CGSL_SHIM_H
#include <gsl/gsl_errno.h>
#include <gsl/gsl_rng.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include <gsl/gsl_sort.h>

/* The generator r70 uses is Philox4x32-10, a GSL generator type of its own (CPhilox). */
#endif
