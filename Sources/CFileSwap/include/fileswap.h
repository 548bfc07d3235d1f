#ifndef R70_FILESWAP_H
#define R70_FILESWAP_H
/* Exchanges two paths atomically (Linux renameat2 with RENAME_EXCHANGE). Returns 0 on success, -1 where
   the system or file system has no exchange (errno set); the caller then falls back to two renames. */
int r70_exchange_paths(const char *a, const char *b);
#endif
