// Loading libpq with dlopen; see libpq.h for why.
#include "dialect/libpq.h"

#include <mutex>
#include <string>

#include "util/dynlib.h"

namespace retort {

namespace {

const LibPq* g_libpq = nullptr;
const std::string* g_error = nullptr;

void Load() {
  DynLib lib("libpq.so.5", "libpq5");
  auto* pq = new LibPq();
#define RETORT_BIND(name) lib.Bind(pq->name, #name)
  RETORT_BIND(PQbackendPID);
  RETORT_BIND(PQcancel);
  RETORT_BIND(PQclear);
  RETORT_BIND(PQcmdTuples);
  RETORT_BIND(PQconnectdbParams);
  RETORT_BIND(PQconninfo);
  RETORT_BIND(PQconninfoFree);
  RETORT_BIND(PQconninfoParse);
  RETORT_BIND(PQerrorMessage);
  RETORT_BIND(PQfinish);
  RETORT_BIND(PQfname);
  RETORT_BIND(PQfreeCancel);
  RETORT_BIND(PQfreemem);
  RETORT_BIND(PQgetCancel);
  RETORT_BIND(PQgetCopyData);
  RETORT_BIND(PQgetisnull);
  RETORT_BIND(PQgetlength);
  RETORT_BIND(PQgetResult);
  RETORT_BIND(PQgetvalue);
  RETORT_BIND(PQnfields);
  RETORT_BIND(PQntuples);
  RETORT_BIND(PQputCopyEnd);
  RETORT_BIND(PQresultErrorField);
  RETORT_BIND(PQresultErrorMessage);
  RETORT_BIND(PQresultStatus);
  RETORT_BIND(PQsendQuery);
  RETORT_BIND(PQsendQueryParams);
  RETORT_BIND(PQserverVersion);
  RETORT_BIND(PQsetNoticeReceiver);
  RETORT_BIND(PQstatus);
  RETORT_BIND(PQtransactionStatus);
#undef RETORT_BIND
  lib.BindOptional(pq->PQenterPipelineMode, "PQenterPipelineMode");
  lib.BindOptional(pq->PQexitPipelineMode, "PQexitPipelineMode");
  lib.BindOptional(pq->PQpipelineSync, "PQpipelineSync");
  lib.BindOptional(pq->PQsendFlushRequest, "PQsendFlushRequest");
  if (!lib.ok()) {
    delete pq;
    g_error = new std::string(lib.error());
    return;
  }
  g_libpq = pq;
}

}  // namespace

Result<const LibPq*> LoadLibPq() {
  static std::once_flag once;
  std::call_once(once, Load);
  if (g_libpq == nullptr) return Status::Database(*g_error);
  return g_libpq;
}

const LibPq& Pq() { return *g_libpq; }

}  // namespace retort
