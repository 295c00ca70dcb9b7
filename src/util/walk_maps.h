// WalkMaps: visits the keys of two sorted maps in step, as a merge does.
// Autogenerate compares "what the database has" with "what the models want"
// object kind by object kind this way, for PostgreSQL and SQLite alike.
#ifndef RETORT_UTIL_WALK_MAPS_H_
#define RETORT_UTIL_WALK_MAPS_H_

namespace retort {

// Calls fn(key, a_value*, b_value*) once per key of either map, in key
// order; the pointer is null on the side that lacks the key. Both maps
// must be ordered by the same comparison (std::map with std::less).
template <typename Map, typename Fn>
void WalkMaps(const Map& a, const Map& b, Fn&& fn) {
  auto ia = a.begin();
  auto ib = b.begin();
  while (ia != a.end() || ib != b.end()) {
    if (ib == b.end() || (ia != a.end() && ia->first < ib->first)) {
      fn(ia->first, &ia->second, nullptr);
      ++ia;
    } else if (ia == a.end() || ib->first < ia->first) {
      fn(ib->first, nullptr, &ib->second);
      ++ib;
    } else {
      fn(ia->first, &ia->second, &ib->second);
      ++ia;
      ++ib;
    }
  }
}

}  // namespace retort

#endif  // RETORT_UTIL_WALK_MAPS_H_
