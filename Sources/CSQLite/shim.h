#ifndef CACHECTL_CSQLITE_SHIM_H
#define CACHECTL_CSQLITE_SHIM_H
#include <sqlite3.h>

// SQLITE_TRANSIENT is a cast macro Swift cannot import: bind copies of the buffers.
static inline void (*cachectl_sqlite_transient(void))(void *) { return SQLITE_TRANSIENT; }

#endif
