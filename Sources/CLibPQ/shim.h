// Headers only: libpq itself is loaded with dlopen on the first connection (PQLibrary.swift),
// so a process that never talks to PostgreSQL never maps it.
#include <postgresql/libpq-fe.h>
