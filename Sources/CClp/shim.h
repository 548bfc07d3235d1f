#ifndef R70_CCLP_SHIM_H
#define R70_CCLP_SHIM_H
// COIN-OR CLP's C interface (coinor-libclp-dev; pkg-config "clp" adds -I/usr/include/coin).
#include <Clp_C_Interface.h>
#endif
