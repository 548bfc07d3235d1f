#ifndef R70_CGLPK_SHIM_H
#define R70_CGLPK_SHIM_H
#include <glpk.h>
#endif
