// Union-find with path halving, for joining arcs into a forest without closing a cycle: the
// warm start's forest of hinted arcs and the exact simplex's basis joins both use it.
#pragma once

#include <cstddef>
#include <numeric>
#include <vector>

namespace emdkit {

template <class Index>
class DisjointSets {
public:
    explicit DisjointSets(Index n) : up_(static_cast<std::size_t>(n)) {
        std::iota(up_.begin(), up_.end(), Index(0));
    }
    // n singletons again, keeping the capacity (a workspace reused across calls).
    void reset(Index n) {
        up_.resize(static_cast<std::size_t>(n));
        std::iota(up_.begin(), up_.end(), Index(0));
    }
    // Merge the sets of u and w; false when they were one set already (the arc closes a cycle).
    bool join(Index u, Index w) {
        u = find(u);
        w = find(w);
        if (u == w) return false;
        up_[static_cast<std::size_t>(u)] = w;
        return true;
    }
    // The representative of u's set.
    Index find(Index u) {
        while (up_[static_cast<std::size_t>(u)] != u) {
            const Index grand = up_[static_cast<std::size_t>(up_[static_cast<std::size_t>(u)])];
            up_[static_cast<std::size_t>(u)] = grand;
            u = grand;
        }
        return u;
    }

private:
    std::vector<Index> up_;
};

}  // namespace emdkit
