/* test_files.h: small file helpers the unit suites share. */
#ifndef RACELAB_TEST_FILES_H
#define RACELAB_TEST_FILES_H

/* The whole file as a string (caller frees), or NULL when unreadable. */
char *test_read_all(const char *path);

#endif
