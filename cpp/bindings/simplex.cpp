// Python bindings of the network simplex: the live solver class (same API as the Numba-era
// emdkit.core.network_simplex.NetworkSimplex) and the block-size rule.
#include <nanobind/stl/optional.h>
#include <nanobind/stl/vector.h>

#include <optional>

#include "bindings/arrays.hpp"
#include "bindings/parts.hpp"
#include "simplex/network_simplex.hpp"

namespace emdkit {

namespace {

using simplex::Index;
using simplex::NetworkSimplex;

std::vector<double> to_vector(const InArray<double, 1>& a) {
    return std::vector<double>(a.data(), a.data() + a.shape(0));
}

// Reads of the bundle (ns.pi, ns.flow, ...) are copies: arc arrays move when arcs are added,
// and no caller writes into them.
template <class T>
void bind_node_array(nb::class_<NetworkSimplex>& cls, const char* name,
                     const std::vector<T> simplex::Basis<double>::*field) {
    cls.def_prop_ro(name, [field](const NetworkSimplex& ns) {
        const auto& v = ns.basis().*field;
        return copy_to_numpy(v, v.size());
    });
}

template <class T>
void bind_arc_array(nb::class_<NetworkSimplex>& cls, const char* name,
                    const std::vector<T> simplex::Basis<double>::*field) {
    cls.def_prop_ro(name, [field](const NetworkSimplex& ns) {
        return copy_to_numpy(ns.basis().*field, static_cast<std::size_t>(ns.n_arcs()));
    });
}

nb::tuple real_flows(const NetworkSimplex& ns) {
    const auto& b = ns.basis();
    std::vector<Index> src, tgt;
    std::vector<double> flow, cost;
    for (Index e = ns.n_nodes(); e < ns.n_arcs(); ++e) {
        if (b.flow[e] > 0) {
            src.push_back(b.src[e]);
            tgt.push_back(b.tgt[e]);
            flow.push_back(b.flow[e]);
            cost.push_back(b.cost[e]);
        }
    }
    return nb::make_tuple(to_numpy(std::move(src)), to_numpy(std::move(tgt)),
                          to_numpy(std::move(flow)), to_numpy(std::move(cost)));
}

}  // namespace

void bind_simplex(nb::module_& m) {
    auto cls = nb::class_<NetworkSimplex>(
        m, "NetworkSimplex", nb::dynamic_attr(),
        "A live transportation basis over an open set of arcs (see "
        "emdkit.core.network_simplex.NetworkSimplex).");
    cls.def(
        "__init__",
        [](NetworkSimplex* self, const InArray<double, 1>& supply, double max_cost,
           Index capacity) { new (self) NetworkSimplex(to_vector(supply), max_cost, capacity); },
        nb::arg("supply"), nb::arg("max_cost"), nb::arg("capacity") = 0);
    cls.def(
        "add_arcs",
        [](NetworkSimplex& ns, const InArray<Index, 1>& src, const InArray<Index, 1>& tgt,
           const InArray<double, 1>& cost) {
            if (src.shape(0) != tgt.shape(0) || src.shape(0) != cost.shape(0))
                throw nb::value_error("add_arcs: src, tgt and cost differ in length");
            ns.add_arcs(src.data(), tgt.data(), cost.data(), static_cast<Index>(src.shape(0)));
        },
        nb::arg("src"), nb::arg("tgt"), nb::arg("cost"));
    cls.def(
        "start_greedy",
        [](NetworkSimplex& ns, Index defer_node) {
            nb::gil_scoped_release release;
            ns.start_greedy(defer_node);
        },
        nb::arg("defer_node") = -1);
    cls.def(
        "start_warm",
        [](NetworkSimplex& ns, const InArray<Index, 1>& arcs,
           std::optional<InArray<double, 1>> pi) {
            if (pi && static_cast<Index>(pi->shape(0)) != ns.n_nodes())
                throw nb::value_error("start_warm: pi must have one entry per node");
            const simplex::WarmHint hint{arcs.data(), static_cast<Index>(arcs.shape(0)),
                                         pi ? pi->data() : nullptr};
            nb::gil_scoped_release release;
            ns.start_warm(hint);
        },
        nb::arg("arcs"), nb::arg("pi").none() = nb::none());
    cls.def(
        "solve",
        [](NetworkSimplex& ns, Index max_iter) {
            nb::gil_scoped_release release;
            return static_cast<int>(ns.solve(max_iter));
        },
        nb::arg("max_iter"));
    cls.def("artificial_flow", &NetworkSimplex::artificial_flow);
    cls.def("real_flows", &real_flows);
    cls.def_prop_ro("n_nodes", &NetworkSimplex::n_nodes);
    cls.def_prop_ro("n_arcs", &NetworkSimplex::n_arcs);
    cls.def_prop_ro("n_iter", &NetworkSimplex::n_iter);
    cls.def_prop_ro("phase", &NetworkSimplex::phase);
    cls.def_prop_ro("art_cost", &NetworkSimplex::art_cost);
    cls.def_prop_ro("supply", [](const NetworkSimplex& ns) {
        return copy_to_numpy(ns.supply(), ns.supply().size());
    });
    using B = simplex::Basis<double>;
    bind_arc_array(cls, "src", &B::src);
    bind_arc_array(cls, "tgt", &B::tgt);
    bind_arc_array(cls, "cost", &B::cost);
    bind_arc_array(cls, "flow", &B::flow);
    bind_arc_array(cls, "state", &B::state);
    bind_node_array(cls, "pi", &B::pi);
    bind_node_array(cls, "parent", &B::parent);
    bind_node_array(cls, "pred", &B::pred);
    bind_node_array(cls, "thread", &B::thread);
    bind_node_array(cls, "rev_thread", &B::rev_thread);
    bind_node_array(cls, "succ_num", &B::succ_num);
    bind_node_array(cls, "last_succ", &B::last_succ);
    bind_node_array(cls, "pred_dir", &B::pred_dir);
    m.def("block_size_for", &simplex::block_size_for, nb::arg("n_real_arcs"));
    m.def("artificial_cost", &simplex::artificial_cost, nb::arg("max_cost"),
          nb::arg("n_nodes"));
}

}  // namespace emdkit
