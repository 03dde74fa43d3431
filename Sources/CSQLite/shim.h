#ifndef CACHECTL_CSQLITE_SHIM_H
#define CACHECTL_CSQLITE_SHIM_H
#include <sqlite3.h>

// SQLITE_TRANSIENT is a cast macro Swift cannot import: bind copies of the buffers.
static inline void (*cachectl_sqlite_transient(void))(void *) { return SQLITE_TRANSIENT; }

// sqlite3_db_config is variadic, which Swift cannot call: this fixes its arguments for the one
// option cachectl sets (whether closing a connection checkpoints the WAL).
static inline int cachectl_sqlite_checkpoint_on_close(sqlite3 *db, int checkpoint) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, checkpoint ? 0 : 1, (int *)0);
}
#endif
