#ifndef CACHECTL_CHIREDIS_SHIM_H
#define CACHECTL_CHIREDIS_SHIM_H
#include <hiredis/hiredis.h>
#endif
