// libpq, loaded on first use. Linking libpq (and libcurl, see
// config/libcurl.h) pulls ~30 shared libraries (OpenSSL, Kerberos, LDAP, ...)
// into every process; resolving them costs ~6 ms of start-up, more than
// `retort heads` needs in all on 1,000 revisions. Commands that never
// connect now never load it.
#ifndef RETORT_DIALECT_LIBPQ_H_
#define RETORT_DIALECT_LIBPQ_H_

#include <libpq-fe.h>

#include "retort/status.h"

namespace retort {

// LibPq holds the libpq entry points retort calls, resolved with dlsym.
struct LibPq {
  decltype(&::PQbackendPID) PQbackendPID;
  decltype(&::PQcancel) PQcancel;
  decltype(&::PQclear) PQclear;
  decltype(&::PQcmdTuples) PQcmdTuples;
  decltype(&::PQconnectdbParams) PQconnectdbParams;
  decltype(&::PQconninfo) PQconninfo;
  decltype(&::PQconninfoFree) PQconninfoFree;
  decltype(&::PQconninfoParse) PQconninfoParse;
  decltype(&::PQerrorMessage) PQerrorMessage;
  decltype(&::PQfinish) PQfinish;
  decltype(&::PQfname) PQfname;
  decltype(&::PQfreeCancel) PQfreeCancel;
  decltype(&::PQfreemem) PQfreemem;
  decltype(&::PQgetCancel) PQgetCancel;
  decltype(&::PQgetCopyData) PQgetCopyData;
  decltype(&::PQgetisnull) PQgetisnull;
  decltype(&::PQgetlength) PQgetlength;
  decltype(&::PQgetResult) PQgetResult;
  decltype(&::PQgetvalue) PQgetvalue;
  decltype(&::PQnfields) PQnfields;
  decltype(&::PQntuples) PQntuples;
  decltype(&::PQputCopyEnd) PQputCopyEnd;
  decltype(&::PQresultErrorField) PQresultErrorField;
  decltype(&::PQresultErrorMessage) PQresultErrorMessage;
  decltype(&::PQresultStatus) PQresultStatus;
  decltype(&::PQsendQuery) PQsendQuery;
  decltype(&::PQsendQueryParams) PQsendQueryParams;
  decltype(&::PQserverVersion) PQserverVersion;
  decltype(&::PQsetNoticeReceiver) PQsetNoticeReceiver;
  decltype(&::PQstatus) PQstatus;
  decltype(&::PQtransactionStatus) PQtransactionStatus;
  // Pipeline mode (libpq 14+): null when the loaded libpq is older.
  decltype(&::PQenterPipelineMode) PQenterPipelineMode;
  decltype(&::PQexitPipelineMode) PQexitPipelineMode;
  decltype(&::PQpipelineSync) PQpipelineSync;
  decltype(&::PQsendFlushRequest) PQsendFlushRequest;
};

// Loads libpq.so.5 once per process (thread-safe) and returns its entry
// points, or an error naming the missing library or symbol.
Result<const LibPq*> LoadLibPq();

// The loaded table; valid only after LoadLibPq() succeeded (every path that
// holds a PGconn or PGresult went through it).
const LibPq& Pq();

}  // namespace retort

#endif  // RETORT_DIALECT_LIBPQ_H_
