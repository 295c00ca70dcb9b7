// RETORT_EXPORT marks what the shared library (libretort.so) exports: the
// public API of include/retort/. Everything else in it is built with
// -fvisibility=hidden, so applications cannot come to depend on internals.
#ifndef RETORT_EXPORT_H_
#define RETORT_EXPORT_H_

#if defined(__GNUC__) || defined(__clang__)
#define RETORT_EXPORT __attribute__((visibility("default")))
#else
#define RETORT_EXPORT
#endif

#endif  // RETORT_EXPORT_H_
